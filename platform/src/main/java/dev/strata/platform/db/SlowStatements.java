package dev.strata.platform.db;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * Counts and logs statements slower than {@code strata.db.slow-statement-threshold}:
 * {@code strata_db_slow_statements_total{statement="<verb> <table> <hash>"}} and a WARN line with the name, the
 * duration and the normalized text (every literal and bind value replaced by {@code ?}), never a parameter.
 * Fed by {@link SqlClientMetrics} for every statement of the reactive SQL client, whoever sent it (Hibernate
 * Reactive, the outbox relay, a plain pool query).
 */
@Singleton
public class SlowStatements {

    static final String COUNTER = "strata.db.slow.statements";
    private static final Logger LOG = Logger.getLogger(SlowStatements.class);
    private static final int MAX_LOGGED_TEXT = 300;
    // bounds the per-name log throttle; names are bounded by the statements in the code, this only guards memory
    private static final int MAX_TRACKED_NAMES = 2000;

    private final long thresholdNanos;
    private final long logIntervalNanos;
    private final Map<String, AtomicLong> lastLogged = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

    public SlowStatements(SlowStatementConfig config) {
        this.thresholdNanos = config.slowStatementThreshold().toNanos();
        this.logIntervalNanos = config.slowStatementLogInterval().toNanos();
    }

    /** Cheap for fast statements: one comparison; the name is only worked out for slow ones. */
    void finished(String sql, long elapsedNanos, boolean failed) {
        if (elapsedNanos <= thresholdNanos || sql == null) {
            return;
        }
        String name = StatementNames.nameOf(sql);
        // the global registry, as Quarkus's own Vert.x binder: this runs before the CDI registry may exist
        Counter.builder(COUNTER).description("Statements slower than strata.db.slow-statement-threshold")
                .tag("statement", name).register(Metrics.globalRegistry).increment();
        log(name, sql, elapsedNanos, failed);
    }

    private void log(String name, String sql, long elapsedNanos, boolean failed) {
        long now = System.nanoTime();
        AtomicLong last = lastLogged.size() < MAX_TRACKED_NAMES
                ? lastLogged.computeIfAbsent(name, n -> new AtomicLong(now - logIntervalNanos - 1))
                : lastLogged.getOrDefault(name, new AtomicLong(now - logIntervalNanos - 1));
        long previous = last.get();
        if (now - previous <= logIntervalNanos || !last.compareAndSet(previous, now)) {
            suppressed.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
            return;
        }
        AtomicLong skipped = suppressed.get(name);
        long more = skipped == null ? 0 : skipped.getAndSet(0);
        String text = StatementNames.normalize(sql);
        if (text.length() > MAX_LOGGED_TEXT) {
            text = text.substring(0, MAX_LOGGED_TEXT) + "…";
        }
        LOG.warnf("Slow statement [%s] %s after %d ms (threshold %d ms)%s: %s", name,
                failed ? "failed" : "finished", elapsedNanos / 1_000_000, thresholdNanos / 1_000_000,
                more > 0 ? " (" + more + " more not logged)" : "", text);
    }
}
