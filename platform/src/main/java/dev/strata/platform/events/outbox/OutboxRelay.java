package dev.strata.platform.events.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Publishes committed outbox rows, in id order, to the family's Redis Stream ({@code strata:events:<family>}, trimmed
 * with {@code MAXLEN ~}) and to the pub/sub channel of the same name as before, then marks them sent — all inside one
 * PostgreSQL transaction holding the rows ({@code FOR UPDATE SKIP LOCKED}) and a transaction-scoped advisory lock on
 * the table, so replicas never publish a row twice and never reorder a table's events. A relay that dies mid-batch
 * leaves its transaction uncommitted: the rows are published again (at-least-once), never skipped. Not a bean.
 */
public final class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    public record Options(int batchSize, Duration interval, long streamMaxLen, Duration sentRetention,
            Duration timeout) {
        public static Options defaults() {
            return new Options(100, Duration.ofMillis(500), 100_000, Duration.ofDays(7), Duration.ofSeconds(5));
        }
    }

    private record Pending(long id, String family, String channel, String type, String eventId, String payload) {
    }

    private final Pool pool;
    private final ReactiveRedisDataSource redis;
    private final String table;
    private final Options options;
    private final String select;
    private final String markSent;
    private final String purge;
    private final String backlog;
    private final Counter published;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestPendingSeconds = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean stopped = true;
    private volatile Vertx vertx;
    private volatile long timerId = -1;
    private volatile long lastPurge;

    public OutboxRelay(Pool pool, ReactiveRedisDataSource redis, String table, Options options, MeterRegistry meters) {
        this.pool = pool;
        this.redis = redis;
        this.table = Outbox.checkTable(table);
        this.options = options;
        this.select = "select id, family, channel, type, event_id::text, payload::text from " + table
                + " where sent_at is null order by id limit $1 for update skip locked";
        this.markSent = "update " + table + " set sent_at = now() where id = any($1)";
        this.purge = "delete from " + table + " where sent_at < now() - make_interval(secs => $1)";
        this.backlog = "select count(*), coalesce(extract(epoch from now() - min(created_at)), 0)::bigint from "
                + table + " where sent_at is null";
        this.published = Counter.builder("strata_outbox_published_total").tag("table", table)
                .description("Outbox rows published to Redis").register(meters);
        this.failures = Counter.builder("strata_outbox_relay_failures_total").tag("table", table)
                .description("Relay batches that failed and will be retried").register(meters);
        Gauge.builder("strata_outbox_pending", pending, AtomicLong::get).tag("table", table)
                .description("Outbox rows not yet published").register(meters);
        Gauge.builder("strata_outbox_oldest_pending_seconds", oldestPendingSeconds, AtomicLong::get).tag("table", table)
                .description("Age of the oldest unpublished outbox row").register(meters);
    }

    /** Publishes one batch; returns how many rows it published (0 when another relay holds the table). */
    public Uni<Integer> relayOnce() {
        return pool.withTransaction(conn -> conn.preparedQuery("select pg_try_advisory_xact_lock(hashtext($1))")
                .execute(Tuple.of(table))
                .chain(rs -> rs.iterator().next().getBoolean(0) ? publishBatch(conn) : Uni.createFrom().item(0)))
                .ifNoItem().after(options.timeout()).failWith(TimeoutException::new)
                .onItem().invoke(n -> published.increment(n))
                .onFailure().invoke(e -> failures.increment());
    }

    /** Relays until nothing is left (or another relay holds the table). */
    public Uni<Integer> drain() {
        return drain(0);
    }

    private Uni<Integer> drain(int total) {
        return relayOnce().chain(n -> n == 0 ? Uni.createFrom().item(total) : drain(total + n));
    }

    private Uni<Integer> publishBatch(SqlConnection conn) {
        return conn.preparedQuery(select).execute(Tuple.of(options.batchSize())).chain(rows -> {
            List<Pending> batch = new ArrayList<>();
            for (Row r : rows) {
                batch.add(new Pending(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                        r.getString(5)));
            }
            if (batch.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            // in order, one at a time: the stream's order is the table's order
            return Multi.createFrom().iterable(batch).onItem().transformToUniAndConcatenate(this::publish)
                    .collect().asList()
                    .chain(done -> conn.preparedQuery(markSent)
                            .execute(Tuple.of(batch.stream().map(Pending::id).toArray(Long[]::new))))
                    .replaceWith(batch.size());
        });
    }

    private Uni<Void> publish(Pending p) {
        return redis.execute("XADD", Outbox.stream(p.family()), "MAXLEN", "~", Long.toString(options.streamMaxLen()),
                "*", "id", p.eventId(), "type", p.type(), "envelope", p.payload())
                .chain(() -> redis.execute("PUBLISH", p.channel(), p.payload()))
                .replaceWithVoid();
    }

    /** Relays on a timer (never two runs at once) until {@link #stop()}; {@link #poke()} runs it at once. */
    public void start(Vertx vertx) {
        this.vertx = vertx;
        this.stopped = false;
        schedule(options.interval());
    }

    public void stop() {
        stopped = true;
        Vertx v = vertx;
        if (v != null && timerId >= 0) {
            v.cancelTimer(timerId);
        }
    }

    /** Something was committed: relay now rather than at the next tick. */
    public void poke() {
        if (stopped) {
            return;
        }
        if (running.get()) {
            again.set(true);
            return;
        }
        Vertx v = vertx;
        if (v != null) {
            v.runOnContext(this::run);
        }
    }

    private void schedule(Duration delay) {
        Vertx v = vertx;
        if (stopped || v == null) {
            return;
        }
        timerId = v.setTimer(Math.max(1, delay.toMillis()), id -> run());
    }

    private void run() {
        if (stopped || !running.compareAndSet(false, true)) {
            if (!stopped) {
                again.set(true);
            }
            return;
        }
        again.set(false);
        drain().chain(this::housekeeping).subscribe().with(n -> finish(), e -> {
            LOG.warnf("outbox relay of %s failed, retrying: %s", table, e.toString());
            finish();
        });
    }

    private void finish() {
        running.set(false);
        if (again.getAndSet(false)) {
            poke();
        } else {
            schedule(options.interval());
        }
    }

    private Uni<Void> housekeeping(int relayed) {
        Uni<Void> gauges = pool.query(backlog).execute().invoke(rs -> {
            Row r = rs.iterator().next();
            pending.set(r.getLong(0));
            oldestPendingSeconds.set(r.getLong(1));
        }).replaceWithVoid();
        long now = System.currentTimeMillis();
        if (now - lastPurge < Duration.ofMinutes(10).toMillis()) {
            return gauges;
        }
        lastPurge = now;
        return gauges.chain(() -> pool.preparedQuery(purge)
                .execute(Tuple.of((double) options.sentRetention().toSeconds())).replaceWithVoid());
    }
}
