package dev.strata.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.rates.service.RedisLock;
import dev.strata.rates.service.RefreshService;
import dev.strata.testing.StrataServersResource;

/** Refresh: one refresher across replicas, one transaction for latest + history, then the event. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = FeedServerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RefreshTest extends RatesTestBase {

    /** 30 ECB quotes + the 12 er-api quotes the service knows (XAU is not a currency it lists). */
    static final int PAIRS = 42;

    @Inject
    RedisLock lock;

    @Inject
    EventBus events;

    @Test
    void twoConcurrentRefreshersFetchEachProviderOnce() throws Exception {
        FeedServer.get().delay(300); // both refreshers are surely in flight at the same time
        List<RefreshService.RefreshReport> reports = Uni.join()
                .all(refresher.scheduled(), refresher.scheduled()).andFailFast().await().atMost(WAIT);

        assertEquals(1, FeedServer.get().hits(FeedServer.ECB));
        assertEquals(1, FeedServer.get().hits(FeedServer.ER_API));
        assertEquals(1, reports.stream().filter(RefreshService.RefreshReport::ran).count());
        assertEquals(PAIRS, count("SELECT count(*) FROM rates.exchange_rates"));

        // and a later tick finds nothing due: the next fetch waits for the interval / the provider's next update
        RefreshService.RefreshReport later = refresher.scheduled().await().atMost(WAIT);
        assertFalse(later.ran());
        assertEquals(1, FeedServer.get().hits(FeedServer.ECB));
        assertNull(redis.value(String.class).get(RefreshService.LOCK), "the lock is released");
    }

    @Test
    void aRefreshWritesLatestAndHistoryThenPublishes() throws Exception {
        List<EventEnvelope> seen = new CopyOnWriteArrayList<>();
        var sub = events.subscribe(EventChannels.RATES_UPDATED, (ch, e) -> seen.add(e)).await().atMost(WAIT);
        try {
            RefreshService.RefreshReport r = refreshNow();
            assertTrue(r.ran());
            assertEquals(PAIRS, r.written());
            assertEquals(PAIRS, count("SELECT count(*) FROM rates.exchange_rates"));
            assertEquals(PAIRS, count("SELECT count(*) FROM rates.exchange_rate_history"
                    + " WHERE trigger = 'manual' AND actor = 'test-runner'"));
            assertEquals("1.151200000000000000",
                    string("SELECT rate FROM rates.exchange_rates WHERE base = 'EUR' AND quote = 'USD'"));
            assertEquals("0.306825000000000000",
                    string("SELECT rate FROM rates.exchange_rates WHERE base = 'USD' AND quote = 'KWD'"));
            assertEquals(0, count("SELECT count(*) FROM rates.exchange_rates WHERE quote = 'XAU'"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(seen.isEmpty(), "strata.rates.updated was published");
            assertEquals("rates.updated", seen.get(0).type());
            assertEquals(PAIRS, ((Number) seen.get(0).data().get("pairs")).intValue());
        } finally {
            sub.unsubscribe().await().atMost(WAIT);
        }
    }

    @Test
    void aScheduledReFetchOfTheSamePublicationAddsNoHistory() throws Exception {
        refresher.scheduled().await().atMost(WAIT);
        assertEquals(PAIRS, count("SELECT count(*) FROM rates.exchange_rate_history WHERE trigger = 'scheduled'"));
        redis.key(String.class).del(RefreshService.dueKey("ecb"), RefreshService.dueKey("er-api"));
        assertTrue(refresher.scheduled().await().atMost(WAIT).ran());
        assertEquals(2, FeedServer.get().hits(FeedServer.ECB));
        assertEquals(PAIRS, count("SELECT count(*) FROM rates.exchange_rate_history"));
    }

    @Test
    void theProvidersNextUpdateTimeIsHonoured() throws Exception {
        FeedServer.get().mode(FeedServer.ER_API, FeedServer.Mode.NEXT_UPDATE_IN_2H);
        assertTrue(refresher.scheduled().await().atMost(WAIT).ran());
        long erApi = redis.key(String.class).pttl(RefreshService.dueKey("er-api"));
        long ecb = redis.key(String.class).pttl(RefreshService.dueKey("ecb"));
        assertTrue(erApi > 7_000_000 && erApi <= 7_230_000, "not due before its next update (+ jitter): " + erApi);
        assertTrue(ecb > 0 && ecb <= 270_000, "no next update given: 90 % of the 5 min interval: " + ecb);
        // the rates stay fresh until that next update
        assertTrue(count("SELECT count(*) FROM rates.exchange_rates WHERE provider = 'er-api'"
                + " AND expires_at > now() + interval '110 minutes'") > 0);
        // with ECB due again but er-api not, the next tick fetches only ECB
        redis.key(String.class).del(RefreshService.dueKey("ecb"));
        refresher.scheduled().await().atMost(WAIT);
        assertEquals(2, FeedServer.get().hits(FeedServer.ECB));
        assertEquals(1, FeedServer.get().hits(FeedServer.ER_API));
    }

    @Test
    void anOlderPublicationNeverReplacesANewerOne() throws Exception {
        refreshNow();
        exec("UPDATE rates.exchange_rates SET effective_at = effective_at + interval '1 day', rate = 1.5"
                + " WHERE base = 'EUR' AND quote = 'USD'");
        refreshNow();
        assertEquals("1.500000000000000000",
                string("SELECT rate FROM rates.exchange_rates WHERE base = 'EUR' AND quote = 'USD'"));
        assertEquals("0.877350000000000000",
                string("SELECT rate FROM rates.exchange_rates WHERE base = 'EUR' AND quote = 'GBP'"));
    }

    @Test
    void historyPartitionsAreCreatedAhead() throws Exception {
        assertTrue(count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'rates.exchange_rate_history'::regclass")
                >= 4, "this month and three ahead");
        assertEquals(0, count("SELECT rates.ensure_history_partitions(3)"), "idempotent");
        assertNotNull(string("SELECT to_regclass('rates.exchange_rate_history_' || to_char(now() AT TIME ZONE 'UTC'"
                + " + interval '3 months', 'YYYY_MM'))"));
    }

    @Test
    void theLockIsReleasedOnlyByItsOwner() {
        String key = "rates:test-lock";
        String token = lock.tryAcquire(key, Duration.ofSeconds(30)).await().atMost(WAIT);
        assertNotNull(token);
        assertNull(lock.tryAcquire(key, Duration.ofSeconds(30)).await().atMost(WAIT), "held");
        assertFalse(lock.release(key, "someone-else").await().atMost(WAIT));
        assertEquals(token, redis.value(String.class).get(key));
        assertTrue(lock.release(key, token).await().atMost(WAIT));
        assertNull(redis.value(String.class).get(key));
    }
}
