package dev.strata.platform.db;

import io.vertx.core.spi.metrics.ClientMetrics;

/**
 * Wraps the Vert.x client metrics of one SQL connection (Quarkus's, which give {@code postgresql_processing_*} and
 * {@code postgresql_reset_total}) to time each statement itself and hand it to {@link SlowStatements}. The SQL
 * client calls {@code requestBegin(sql, sql)} when a statement is sent and {@code responseEnd} (or
 * {@code requestReset} on failure) after its last row.
 */
@SuppressWarnings({ "rawtypes", "unchecked" })
final class SqlClientMetrics implements ClientMetrics<SqlClientMetrics.Timing, Object, Object, Object> {

    /** One statement in flight: the delegate's own request metric, when it started, its SQL (a reference). */
    static final class Timing {
        final Object inner;
        long start = System.nanoTime();
        String sql;

        Timing(Object inner) {
            this.inner = inner;
        }
    }

    private final ClientMetrics delegate;
    private final SlowStatements slow;

    SqlClientMetrics(ClientMetrics delegate, SlowStatements slow) {
        this.delegate = delegate;
        this.slow = slow;
    }

    @Override
    public Object enqueueRequest() {
        return delegate == null ? null : delegate.enqueueRequest();
    }

    @Override
    public void dequeueRequest(Object taskMetric) {
        if (delegate != null) {
            delegate.dequeueRequest(taskMetric);
        }
    }

    @Override
    public Timing init() {
        return new Timing(delegate == null ? null : delegate.init());
    }

    @Override
    public void requestBegin(Timing timing, String uri, Object request) {
        timing.start = System.nanoTime();
        timing.sql = uri;
        if (delegate != null) {
            delegate.requestBegin(timing.inner, uri, request);
        }
    }

    @Override
    public Timing requestBegin(String uri, Object request) {
        Timing timing = new Timing(delegate == null ? null : delegate.requestBegin(uri, request));
        timing.sql = uri;
        return timing;
    }

    @Override
    public void requestEnd(Timing timing) {
        if (delegate != null && timing != null) {
            delegate.requestEnd(timing.inner);
        }
    }

    @Override
    public void requestEnd(Timing timing, long bytesWritten) {
        if (delegate != null && timing != null) {
            delegate.requestEnd(timing.inner, bytesWritten);
        }
    }

    @Override
    public void responseBegin(Timing timing, Object response) {
        if (delegate != null && timing != null) {
            delegate.responseBegin(timing.inner, response);
        }
    }

    @Override
    public void requestReset(Timing timing) {
        if (timing == null) {
            return;
        }
        slow.finished(timing.sql, System.nanoTime() - timing.start, true);
        if (delegate != null) {
            delegate.requestReset(timing.inner);
        }
    }

    @Override
    public void responseEnd(Timing timing) {
        if (timing == null) {
            return;
        }
        slow.finished(timing.sql, System.nanoTime() - timing.start, false);
        if (delegate != null) {
            delegate.responseEnd(timing.inner);
        }
    }

    @Override
    public void responseEnd(Timing timing, long bytesRead) {
        if (timing == null) {
            return;
        }
        slow.finished(timing.sql, System.nanoTime() - timing.start, false);
        if (delegate != null) {
            delegate.responseEnd(timing.inner, bytesRead);
        }
    }

    @Override
    public void close() {
        if (delegate != null) {
            delegate.close();
        }
    }
}
