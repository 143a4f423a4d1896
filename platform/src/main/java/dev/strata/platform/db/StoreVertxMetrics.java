package dev.strata.platform.db;

import io.quarkus.vertx.http.runtime.ExtendedQuarkusVertxHttpMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * Vert.x has one metrics SPI per instance, and Quarkus's Micrometer binder owns it. This delegates everything to
 * it and only adds a wrapper around the SQL client's per-connection metrics ({@link SqlClientMetrics}), so the
 * binder's meters ({@code sql_pool_*}, {@code postgresql_*}, {@code redis_*}, {@code http_server_*}) stay as they
 * are. It also passes on Quarkus's HTTP connection tracker, which {@code quarkus.http.limits.max-connections}
 * looks for on the metrics SPI.
 */
final class StoreVertxMetrics implements VertxMetrics, ExtendedQuarkusVertxHttpMetrics {

    /** When the Micrometer binder is off: nothing but the statement timing. */
    static final VertxMetrics NONE = new VertxMetrics() {
    };

    private final VertxMetrics delegate;
    private final SlowStatements slow;

    StoreVertxMetrics(VertxMetrics delegate, SlowStatements slow) {
        this.delegate = delegate == null ? NONE : delegate;
        this.slow = slow;
    }

    @Override
    public ClientMetrics<?, ?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
        ClientMetrics<?, ?, ?, ?> inner = delegate.createClientMetrics(remoteAddress, type, namespace);
        // "sql" is what every Vert.x SQL client (pg, mysql, …) names its connections' metrics
        return "sql".equals(type) ? new SqlClientMetrics(inner, slow) : inner;
    }

    @Override
    public EventBusMetrics createEventBusMetrics() {
        return delegate.createEventBusMetrics();
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
        return delegate.createHttpServerMetrics(options, localAddress);
    }

    @Override
    public HttpClientMetrics<?, ?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
        return delegate.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
        return delegate.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
        return delegate.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
        return delegate.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?> createPoolMetrics(String poolType, String poolName, int maxPoolSize) {
        return delegate.createPoolMetrics(poolType, poolName, maxPoolSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
        delegate.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
        return delegate.isMetricsEnabled();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public ConnectionTracker getHttpConnectionTracker() {
        return delegate instanceof ExtendedQuarkusVertxHttpMetrics quarkus ? quarkus.getHttpConnectionTracker()
                : NOOP_CONNECTION_TRACKER;
    }
}
