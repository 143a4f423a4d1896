package dev.strata.platform.events.stream;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.redis.client.Response;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.events.outbox.Outbox;

/**
 * At-least-once consumer of a family's stream ({@code strata:events:<family>}) in a consumer group. The group starts
 * at the beginning of the stream, so events committed while no consumer ran are delivered when one starts. An entry
 * is acknowledged only after its handler succeeded; one a consumer read but never acknowledged (it died, or its
 * handler failed) is claimed again ({@code XAUTOCLAIM}) once idle for {@code claimMinIdle}, by any consumer of the
 * group. A processed marker per group and event id makes a redelivered event a no-op, and after {@code maxAttempts}
 * deliveries an entry moves to the group's dead-letter stream. Not a bean: services build and start their own.
 */
public final class DurableConsumer {

    private static final Logger LOG = Logger.getLogger(DurableConsumer.class);
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);
    private static final long DEAD_LETTER_MAXLEN = 10_000;

    /** Handles one event; a failure (or not finishing within the handler timeout) leaves the entry for a retry. */
    public interface Handler {
        Uni<Void> handle(EventEnvelope event);
    }

    private record Entry(String streamId, Map<String, String> fields) {
    }

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper json;
    private final String family;
    private final String stream;
    private final String group;
    private final String consumer;
    private final String deadLetter;
    private final Handler handler;
    private final int maxAttempts;
    private final Duration claimMinIdle;
    private final Duration block;
    private final int batchSize;
    private final Duration processedTtl;
    private final Duration handlerTimeout;
    private final Counter consumed;
    private final Counter failed;
    private final Counter deadLettered;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lag = new AtomicLong();
    private volatile long gaugesAt;
    private volatile boolean groupReady;
    private volatile boolean stopped = true;

    private DurableConsumer(Builder b) {
        this.redis = b.redis;
        this.json = b.json;
        this.family = b.family;
        this.stream = Outbox.stream(b.family);
        this.group = b.group;
        this.consumer = b.consumerName != null ? b.consumerName : defaultName();
        this.deadLetter = stream + ":dead-letter:" + b.group;
        this.handler = b.handler;
        this.maxAttempts = b.maxAttempts;
        this.claimMinIdle = b.claimMinIdle;
        this.block = b.block;
        this.batchSize = b.batchSize;
        this.processedTtl = b.processedTtl;
        this.handlerTimeout = b.handlerTimeout;
        Tags tags = Tags.of("family", family, "group", group);
        this.consumed = Counter.builder("strata_events_consumed_total").tags(tags)
                .description("Events handled successfully").register(b.meters);
        this.failed = Counter.builder("strata_events_failed_total").tags(tags)
                .description("Handler failures (the event is retried)").register(b.meters);
        this.deadLettered = Counter.builder("strata_events_dead_lettered_total").tags(tags)
                .description("Events moved to the dead-letter stream").register(b.meters);
        Gauge.builder("strata_events_pending", pending, AtomicLong::get).tags(tags)
                .description("Entries delivered to the group and not yet acknowledged").register(b.meters);
        Gauge.builder("strata_events_lag", lag, AtomicLong::get).tags(tags)
                .description("Entries in the stream not yet delivered to the group (capped at 10000)")
                .register(b.meters);
    }

    public static Builder builder(ReactiveRedisDataSource redis, ObjectMapper json, MeterRegistry meters) {
        return new Builder(redis, json, meters);
    }

    public String consumerName() {
        return consumer;
    }

    public String group() {
        return group;
    }

    public String stream() {
        return stream;
    }

    public String deadLetterStream() {
        return deadLetter;
    }

    /**
     * One round: claims entries left idle by any consumer, then reads new ones (blocking up to {@code block}), and
     * handles each in stream order. Returns how many were handled successfully.
     */
    public Uni<Integer> pollOnce() {
        AtomicInteger handled = new AtomicInteger();
        return ensureGroup()
                .chain(() -> claim())
                .chain(claimed -> handleAll(claimed, true, handled))
                .chain(() -> cmd(block.toMillis() + REDIS_TIMEOUT.toMillis(), "XREADGROUP", "GROUP", group, consumer,
                        "COUNT", Integer.toString(batchSize), "BLOCK", Long.toString(Math.max(1, block.toMillis())),
                        "STREAMS", stream, ">"))
                .chain(r -> handleAll(readEntries(r), false, handled))
                .chain(this::refreshGauges)
                .map(x -> handled.get());
    }

    /** Polls continuously (one round at a time) until {@link #stop()}; backs off a second after a Redis error. */
    public void start(Vertx vertx) {
        stopped = false;
        loop(vertx);
    }

    /** Stops polling; entries read but not acknowledged stay pending for another consumer to claim. */
    public void stop() {
        stopped = true;
    }

    private void loop(Vertx vertx) {
        if (stopped) {
            return;
        }
        pollOnce().subscribe().with(n -> vertx.runOnContext(() -> loop(vertx)), e -> {
            LOG.warnf("consumer %s/%s of %s: %s; retrying in 1 s", group, consumer, stream, e.toString());
            vertx.setTimer(1000, id -> loop(vertx));
        });
    }

    private Uni<Void> ensureGroup() {
        if (groupReady) {
            return Uni.createFrom().voidItem();
        }
        // from "0": the group sees everything already in the stream, including what arrived before it existed
        return cmd(REDIS_TIMEOUT.toMillis(), "XGROUP", "CREATE", stream, group, "0", "MKSTREAM")
                .onFailure(e -> String.valueOf(e.getMessage()).contains("BUSYGROUP")).recoverWithNull()
                .invoke(() -> groupReady = true).replaceWithVoid();
    }

    /** Entries idle longer than claimMinIdle, now ours; with their delivery counts. */
    private Uni<List<Entry>> claim() {
        return cmd(REDIS_TIMEOUT.toMillis(), "XAUTOCLAIM", stream, group, consumer,
                Long.toString(claimMinIdle.toMillis()), "0-0", "COUNT", Integer.toString(batchSize))
                .map(r -> r == null || r.size() < 2 ? List.<Entry>of() : entries(r.get(1)));
    }

    private Uni<Void> handleAll(List<Entry> entries, boolean claimed, AtomicInteger handled) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(entries)
                .onItem().transformToUniAndConcatenate(e -> (claimed ? deliveries(e.streamId()) : Uni.createFrom().item(1L))
                        .chain(n -> handle(e, n)).invoke(ok -> {
                            if (ok) {
                                handled.incrementAndGet();
                            }
                        }))
                .collect().last().replaceWithVoid();
    }

    private Uni<Long> deliveries(String streamId) {
        return cmd(REDIS_TIMEOUT.toMillis(), "XPENDING", stream, group, streamId, streamId, "1").map(r -> {
            if (r == null || r.size() == 0) {
                return 1L;
            }
            return r.get(0).get(3).toLong();
        });
    }

    private Uni<Boolean> handle(Entry entry, long deliveries) {
        String raw = entry.fields().get("envelope");
        EventEnvelope event;
        String unreadable = null;
        try {
            event = raw == null ? null : json.readValue(raw, EventEnvelope.class);
        } catch (Exception ex) {
            event = null;
            unreadable = ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
        if (event == null || event.id() == null) {
            return deadLetter(entry, "not an event envelope" + (unreadable == null ? " (no envelope field)"
                    : " (" + unreadable + ")"), deliveries).replaceWith(false);
        }
        if (deliveries > maxAttempts) {
            return deadLetter(entry, "failed " + (deliveries - 1) + " times", deliveries - 1).replaceWith(false);
        }
        String marker = "strata:processed:" + group + ":" + event.id();
        EventEnvelope e = event;
        return cmd(REDIS_TIMEOUT.toMillis(), "EXISTS", marker).chain(exists -> {
            if (exists != null && exists.toLong() > 0) {
                // handled before, but the ack was lost: acknowledge only
                return ack(entry).replaceWith(true);
            }
            return Uni.createFrom().deferred(() -> handler.handle(e))
                    .ifNoItem().after(handlerTimeout).failWith(TimeoutException::new)
                    .chain(() -> cmd(REDIS_TIMEOUT.toMillis(), "SET", marker, "1", "EX",
                            Long.toString(Math.max(1, processedTtl.toSeconds()))))
                    .chain(() -> ack(entry))
                    .invoke(() -> consumed.increment())
                    .replaceWith(true)
                    .onFailure().recoverWithItem(ex -> {
                        failed.increment();
                        LOG.warnf("%s: handling %s (%s) failed on delivery %d: %s", group, e.id(), e.type(), deliveries,
                                ex.toString());
                        return false;
                    });
        });
    }

    private Uni<Void> deadLetter(Entry entry, String error, long attempts) {
        List<String> args = new ArrayList<>(List.of(deadLetter, "MAXLEN", "~", Long.toString(DEAD_LETTER_MAXLEN), "*"));
        entry.fields().forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        args.addAll(List.of("error", error, "attempts", Long.toString(attempts), "source-id", entry.streamId()));
        return cmd(REDIS_TIMEOUT.toMillis(), "XADD", args.toArray(String[]::new))
                .chain(() -> ack(entry))
                .invoke(() -> {
                    deadLettered.increment();
                    LOG.errorf("%s: entry %s of %s dead-lettered to %s: %s", group, entry.streamId(), stream, deadLetter,
                            error);
                });
    }

    private Uni<Void> ack(Entry entry) {
        return cmd(REDIS_TIMEOUT.toMillis(), "XACK", stream, group, entry.streamId()).replaceWithVoid();
    }

    private Uni<Void> refreshGauges(Object ignored) {
        long now = System.currentTimeMillis();
        if (now - gaugesAt < 5000) {
            return Uni.createFrom().voidItem();
        }
        gaugesAt = now;
        return cmd(REDIS_TIMEOUT.toMillis(), "XPENDING", stream, group)
                .invoke(r -> pending.set(r == null || r.size() == 0 ? 0 : r.get(0).toLong()))
                .chain(() -> cmd(REDIS_TIMEOUT.toMillis(), "XINFO", "GROUPS", stream))
                .chain(groups -> {
                    String last = lastDelivered(groups);
                    if (last == null) {
                        return Uni.createFrom().voidItem();
                    }
                    // Redis 6.2 has no lag field: count what follows the group's position, capped
                    return cmd(REDIS_TIMEOUT.toMillis(), "XRANGE", stream, "(" + last, "+", "COUNT", "10000")
                            .invoke(r -> lag.set(r == null ? 0 : r.size())).replaceWithVoid();
                })
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private String lastDelivered(Response groups) {
        if (groups == null) {
            return null;
        }
        for (int i = 0; i < groups.size(); i++) {
            Map<String, Response> g = fields(groups.get(i));
            if (g.containsKey("name") && group.equals(g.get("name").toString()) && g.get("last-delivered-id") != null) {
                return g.get("last-delivered-id").toString();
            }
        }
        return null;
    }

    /** XREADGROUP's answer: {@code [[stream, entries]]} in RESP2, {@code {stream: entries}} in RESP3. */
    private static List<Entry> readEntries(Response r) {
        if (r == null) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        if (r.isMap()) {
            for (String k : r.getKeys()) {
                out.addAll(entries(r.get(k)));
            }
        } else {
            for (int i = 0; i < r.size(); i++) {
                out.addAll(entries(r.get(i).get(1)));
            }
        }
        return out;
    }

    private static List<Entry> entries(Response list) {
        List<Entry> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            Response e = list.get(i);
            // an entry trimmed away while pending comes back as nil fields
            if (e == null || e.size() < 2 || e.get(1) == null) {
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            Response f = e.get(1);
            if (f.isMap()) {
                for (String k : f.getKeys()) {
                    fields.put(k, f.get(k).toString());
                }
            } else {
                for (int j = 0; j + 1 < f.size(); j += 2) {
                    fields.put(f.get(j).toString(), f.get(j + 1).toString());
                }
            }
            out.add(new Entry(e.get(0).toString(), fields));
        }
        return out;
    }

    private static Map<String, Response> fields(Response r) {
        Map<String, Response> m = new HashMap<>();
        if (r == null) {
            return m;
        }
        if (r.isMap()) {
            for (String k : r.getKeys()) {
                m.put(k, r.get(k));
            }
        } else {
            for (int j = 0; j + 1 < r.size(); j += 2) {
                m.put(r.get(j).toString(), r.get(j + 1));
            }
        }
        return m;
    }

    private Uni<Response> cmd(long timeoutMillis, String command, String... args) {
        return redis.execute(command, args)
                .map(r -> r == null ? null : r.getDelegate())
                .ifNoItem().after(Duration.ofMillis(timeoutMillis)).failWith(TimeoutException::new);
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "consumer";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static final class Builder {
        private final ReactiveRedisDataSource redis;
        private final ObjectMapper json;
        private final MeterRegistry meters;
        private String family;
        private String group;
        private String consumerName;
        private Handler handler;
        private int maxAttempts = 5;
        private Duration claimMinIdle = Duration.ofSeconds(30);
        private Duration block = Duration.ofSeconds(2);
        private int batchSize = 50;
        private Duration processedTtl = Duration.ofDays(7);
        private Duration handlerTimeout = Duration.ofSeconds(30);

        private Builder(ReactiveRedisDataSource redis, ObjectMapper json, MeterRegistry meters) {
            this.redis = redis;
            this.json = json;
            this.meters = meters;
        }

        public Builder family(String family) {
            this.family = family;
            return this;
        }

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder consumerName(String name) {
            this.consumerName = name;
            return this;
        }

        public Builder handler(Handler h) {
            this.handler = h;
            return this;
        }

        public Builder maxAttempts(int n) {
            this.maxAttempts = n;
            return this;
        }

        public Builder claimMinIdle(Duration d) {
            this.claimMinIdle = d;
            return this;
        }

        public Builder block(Duration d) {
            this.block = d;
            return this;
        }

        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        public Builder processedTtl(Duration d) {
            this.processedTtl = d;
            return this;
        }

        public Builder handlerTimeout(Duration d) {
            this.handlerTimeout = d;
            return this;
        }

        public DurableConsumer build() {
            if (family == null || group == null || handler == null) {
                throw new IllegalStateException("family, group and handler are required");
            }
            if (maxAttempts < 1 || batchSize < 1) {
                throw new IllegalArgumentException("maxAttempts and batchSize must be positive");
            }
            return new DurableConsumer(this);
        }
    }
}
