package dev.strata.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.events.outbox.Outbox;
import dev.strata.platform.events.outbox.OutboxRelay;
import dev.strata.platform.events.stream.DurableConsumer;
import dev.strata.platform.testapp.Widget;
import dev.strata.testing.StrataServersResource;

/** The outbox, the relay and the durable consumer on the real PostgreSQL and Redis. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DurableEventsTest {

    static final String TABLE = "platform_test.outbox";
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Pool pool;
    @Inject
    Mutiny.SessionFactory sessions;
    @Inject
    ReactiveRedisDataSource reactiveRedis;
    @Inject
    RedisDataSource redis;
    @Inject
    ObjectMapper json;
    @Inject
    MeterRegistry meters;
    @Inject
    EventBus bus;

    String family;

    @BeforeEach
    void freshTable() {
        pool.query("""
                create table if not exists platform_test.outbox (
                    id bigserial primary key, event_id uuid not null unique, family text not null,
                    channel text not null, type text not null, subject text, payload jsonb not null,
                    created_at timestamptz not null default now(), sent_at timestamptz)""").execute()
                .chain(() -> pool.query("truncate platform_test.outbox").execute()).await().atMost(WAIT);
        // each test its own family, so its own stream
        family = "ptest" + UUID.randomUUID().toString().substring(0, 8);
    }

    OutboxRelay relay() {
        return new OutboxRelay(pool, reactiveRedis, TABLE, OutboxRelay.Options.defaults(), meters);
    }

    EventEnvelope event(String name) {
        return EventEnvelope.of(family + ".happened", "subject-1", Map.of("name", name));
    }

    /** Commits a widget and its event in one Hibernate Reactive transaction, as a service would. */
    void commit(EventEnvelope e, boolean fail) throws Throwable {
        Outbox outbox = new Outbox(TABLE, json);
        Widget w = new Widget();
        w.id = UUID.randomUUID();
        w.name = "w";
        VertxContextSupport.subscribeAndAwait(() -> sessions.withTransaction((s, tx) -> s.persist(w)
                .chain(() -> outbox.append(s, e))
                .chain(() -> fail ? Uni.createFrom().failure(new IllegalStateException("the change fails"))
                        : Uni.createFrom().voidItem())));
    }

    List<StreamMessage<String, String, String>> stream() {
        return redis.stream(String.class).xrange(Outbox.stream(family), StreamRange.of("-", "+"));
    }

    DurableConsumer.Builder consumer(String group, DurableConsumer.Handler handler) {
        return DurableConsumer.builder(reactiveRedis, json, meters).family(family).group(group).handler(handler)
                .block(Duration.ofMillis(100));
    }

    @Test
    void anEventCommittedWhileNoConsumerRunsIsDeliveredOnceWhenItStarts() throws Throwable {
        EventEnvelope e = event("early");
        commit(e, false);
        assertEquals(1, relay().drain().await().atMost(WAIT));
        // the consumer group does not exist yet: it is created when the consumer starts
        Map<UUID, AtomicInteger> seen = new ConcurrentHashMap<>();
        DurableConsumer c = consumer("late-" + family, ev -> {
            seen.computeIfAbsent(ev.id(), k -> new AtomicInteger()).incrementAndGet();
            return Uni.createFrom().voidItem();
        }).build();
        assertEquals(1, c.pollOnce().await().atMost(WAIT));
        assertEquals(0, c.pollOnce().await().atMost(WAIT));
        assertEquals(Set.of(e.id()), seen.keySet());
        assertEquals(1, seen.get(e.id()).get());
        assertEquals(0L, redis.stream(String.class).xpending(c.stream(), c.group()).getPendingCount());
    }

    @Test
    void aRolledBackTransactionPublishesNothing() throws Throwable {
        long before = stream().size();
        assertThrows(IllegalStateException.class, () -> commit(event("never"), true));
        long rows = pool.query("select count(*) from platform_test.outbox").execute().await().atMost(WAIT)
                .iterator().next().getLong(0);
        assertEquals(0, rows);
        assertEquals(0, relay().drain().await().atMost(WAIT));
        assertEquals(before, stream().size());
    }

    @Test
    void twoRelaysPublishEachRowExactlyOnceInOrder() throws Exception {
        int n = 500;
        List<String> ids = new ArrayList<>();
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EventEnvelope e = event("e" + i);
            ids.add(e.id().toString());
            rows.add(Tuple.of(e.id(), family, Outbox.channel(e.type()), e.type(), e.subject(),
                    json.writeValueAsString(e)));
        }
        pool.preparedQuery("insert into platform_test.outbox (event_id, family, channel, type, subject, payload)"
                + " values ($1, $2, $3, $4, $5, $6::text::jsonb)").executeBatch(rows).await().atMost(WAIT);
        OutboxRelay a = relay();
        OutboxRelay b = relay();
        // two relays from two threads at once, each draining until it sees nothing (or the other holds the table)
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> done = new ArrayList<>();
        for (OutboxRelay r : List.of(a, b)) {
            done.add(threads.submit(() -> {
                go.await();
                int total = 0;
                long deadline = System.nanoTime() + WAIT.toNanos();
                // keep going until the table is empty: a relay that found the lock taken retries
                while (System.nanoTime() < deadline) {
                    total += r.drain().await().atMost(WAIT);
                    long left = pool.query("select count(*) from platform_test.outbox where sent_at is null")
                            .execute().await().atMost(WAIT).iterator().next().getLong(0);
                    if (left == 0) {
                        break;
                    }
                }
                return total;
            }));
        }
        go.countDown();
        int published = done.get(0).get(30, TimeUnit.SECONDS) + done.get(1).get(30, TimeUnit.SECONDS);
        threads.shutdown();
        assertEquals(n, published);
        List<String> streamed = stream().stream().map(m -> m.payload().get("id")).toList();
        assertEquals(n, streamed.size(), "no row published twice");
        assertEquals(ids, streamed, "the stream holds the table's order");
    }

    @Test
    void aConsumerKilledBetweenReadAndAckIsReplacedByAnother() throws Throwable {
        EventEnvelope e = event("orphaned");
        commit(e, false);
        relay().drain().await().atMost(WAIT);
        String group = "g-" + family;
        CountDownLatch readByA = new CountDownLatch(1);
        // A reads the entry and never finishes: it is as good as dead once stopped
        DurableConsumer a = consumer(group, ev -> {
            readByA.countDown();
            return Uni.createFrom().nothing();
        }).consumerName("A").handlerTimeout(Duration.ofHours(1)).build();
        a.pollOnce().subscribe().with(x -> { }, x -> { });
        assertTrue(readByA.await(10, TimeUnit.SECONDS));
        a.stop();
        List<UUID> handledByB = new CopyOnWriteArrayList<>();
        DurableConsumer b = consumer(group, ev -> {
            handledByB.add(ev.id());
            return Uni.createFrom().voidItem();
        }).consumerName("B").claimMinIdle(Duration.ofMillis(200)).build();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (handledByB.isEmpty() && System.nanoTime() < deadline) {
            b.pollOnce().await().atMost(WAIT);
        }
        assertEquals(List.of(e.id()), handledByB);
        b.pollOnce().await().atMost(WAIT);
        assertEquals(1, handledByB.size(), "handled once");
        assertEquals(0L, redis.stream(String.class).xpending(b.stream(), group).getPendingCount());
    }

    @Test
    void aRedeliveredEventIsHandledOnceAndRepeatedFailuresAreDeadLettered() throws Throwable {
        EventEnvelope ok = event("ok");
        commit(ok, false);
        relay().drain().await().atMost(WAIT);
        AtomicInteger calls = new AtomicInteger();
        DurableConsumer c = consumer("dedupe-" + family, ev -> {
            calls.incrementAndGet();
            return Uni.createFrom().voidItem();
        }).build();
        assertEquals(1, c.pollOnce().await().atMost(WAIT));
        // the same event arrives again, as when a relay died after XADD and before marking the row sent
        redis.stream(String.class).xadd(Outbox.stream(family), Map.of("id", ok.id().toString(), "type", ok.type(),
                "envelope", json.writeValueAsString(ok)));
        c.pollOnce().await().atMost(WAIT);
        assertEquals(1, calls.get(), "the processed marker made the redelivery a no-op");
        assertEquals(0L, redis.stream(String.class).xpending(c.stream(), c.group()).getPendingCount());

        EventEnvelope poison = event("poison");
        commit(poison, false);
        relay().drain().await().atMost(WAIT);
        AtomicInteger attempts = new AtomicInteger();
        // the test app has no Prometheus registry: count on a registry of our own
        MeterRegistry own = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        DurableConsumer failing = DurableConsumer.builder(reactiveRedis, json, own).family(family)
                .group("dlq-" + family).block(Duration.ofMillis(100)).handler(ev -> {
            if (ev.id().equals(poison.id())) {
                attempts.incrementAndGet();
                return Uni.createFrom().failure(new IllegalStateException("cannot handle"));
            }
            return Uni.createFrom().voidItem();
        }).maxAttempts(3).claimMinIdle(Duration.ofMillis(50)).build();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (redis.stream(String.class).xlen(failing.deadLetterStream()) == 0 && System.nanoTime() < deadline) {
            failing.pollOnce().await().atMost(WAIT);
        }
        var dead = redis.stream(String.class).xrange(failing.deadLetterStream(), StreamRange.of("-", "+"));
        assertEquals(1, dead.size());
        assertEquals(poison.id().toString(), dead.get(0).payload().get("id"));
        assertEquals("3", dead.get(0).payload().get("attempts"));
        assertEquals(3, attempts.get());
        assertEquals(0L, redis.stream(String.class).xpending(failing.stream(), failing.group()).getPendingCount());
        assertNotNull(own.find("strata_events_dead_lettered_total").tag("group", failing.group()).counter());
        assertEquals(1.0, own.find("strata_events_dead_lettered_total").tag("group", failing.group()).counter()
                .count());
        assertEquals(3.0, own.find("strata_events_failed_total").tag("group", failing.group()).counter().count());
    }

    @Test
    void relayedEventsAlsoReachPubSubSubscribers() throws Throwable {
        List<EventEnvelope> received = new CopyOnWriteArrayList<>();
        var subscriber = bus.subscribe("strata." + family + ".*", (channel, e) -> received.add(e)).await().atMost(WAIT);
        try {
            EventEnvelope e = event("live");
            commit(e, false);
            relay().drain().await().atMost(WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, received.size());
            assertEquals(e.id(), received.get(0).id());
            assertEquals(Set.of("name"), new HashSet<>(received.get(0).data().keySet()));
        } finally {
            subscriber.unsubscribe().await().atMost(WAIT);
        }
    }
}
