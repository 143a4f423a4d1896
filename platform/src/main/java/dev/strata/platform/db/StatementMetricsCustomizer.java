package dev.strata.platform.db;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.arc.Unremovable;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;

/**
 * Installs {@link StoreVertxMetrics} around whatever metrics factory Quarkus configured (the Micrometer binder's):
 * bean customizers run after the extensions' own, so the binder's options are already in place here. Nothing in
 * it touches a database, so services without one (storage-gateway) only get a pass-through.
 */
@Singleton
@Unremovable
public class StatementMetricsCustomizer implements VertxOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(StatementMetricsCustomizer.class);

    private final SlowStatements slow;

    public StatementMetricsCustomizer(SlowStatements slow) {
        this.slow = slow;
    }

    @Override
    public void accept(VertxOptions options) {
        MetricsOptions current = options.getMetricsOptions();
        VertxMetricsFactory inner = current != null && current.isEnabled() ? current.getFactory() : null;
        if (current != null && current.isEnabled() && inner == null) {
            // a factory Vert.x would load itself (ServiceLoader): not ours to replace
            LOG.warn("Vert.x metrics come from a service-loaded factory; slow statements are not counted");
            return;
        }
        options.setMetricsOptions(new MetricsOptions().setEnabled(true).setFactory(
                vertxOptions -> new StoreVertxMetrics(inner == null ? null : inner.metrics(vertxOptions), slow)));
    }
}
