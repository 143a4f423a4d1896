package dev.strata.rates;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.rates.repository.RatesRepository;
import dev.strata.rates.service.RatesCache;
import dev.strata.testing.StrataServersResource;

/** The two cache layers: Redis serves what the L1 lacks, refreshes drop both, other replicas' events clear the L1. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = FeedServerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class CacheTest extends RatesTestBase {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    RatesRepository repository;

    @Inject
    EventBus events;

    @Inject
    MeterRegistry registry;

    @Test
    void redisServesWhatTheL1LacksWithoutTheDatabase() {
        refreshNow();
        double queries = repository.pairQueryCount();
        given().get("/api/rates/EUR/CHF").then().statusCode(200).body("rate", equalTo("0.927700000000000000"));
        assertEquals(queries + 1, repository.pairQueryCount());

        String key = RatesCache.rateKey("EUR", "CHF");
        long ttl = redis.key(String.class).pttl(key);
        assertTrue(ttl > 250_000 && ttl <= 330_000, "TTL 300 s + jitter, was " + ttl);
        assertTrue(redis.set(String.class).sismember(RatesCache.TRACKED, key));

        cache.clearLocal();
        double redisHits = redisHits();
        given().get("/api/rates/EUR/CHF").then().statusCode(200).body("rate", equalTo("0.927700000000000000"));
        given().get("/api/rates/EUR/CHF").then().statusCode(200); // now an L1 hit
        assertEquals(queries + 1, repository.pairQueryCount(), "no further database query");
        assertEquals(redisHits + 1, redisHits());
    }

    @Test
    void aRefreshDropsTheTrackedRedisKeys() {
        refreshNow();
        given().get("/api/rates/EUR/CHF").then().statusCode(200);
        given().get("/api/rates?base=GBP").then().statusCode(200);
        assertNotNull(redis.value(String.class).get(RatesCache.rateKey("EUR", "CHF")));
        assertNotNull(redis.value(String.class).get(RatesCache.listKey("GBP")));
        refreshNow();
        assertEquals(0, redis.key(String.class).exists(RatesCache.rateKey("EUR", "CHF"), RatesCache.listKey("GBP"),
                RatesCache.TRACKED));
    }

    @Test
    void anotherReplicasUpdateEventClearsTheL1() throws Exception {
        refreshNow();
        given().get("/api/rates/EUR/USD").then().statusCode(200).body("rate", equalTo("1.151200000000000000"));
        // another replica commits a new rate and drops the Redis entries ...
        exec("UPDATE rates.exchange_rates SET rate = 2 WHERE base = 'EUR' AND quote = 'USD'");
        redis.key(String.class).del(RatesCache.rateKey("EUR", "USD"));
        given().get("/api/rates/EUR/USD").then().body("rate", equalTo("1.151200000000000000")); // still our L1
        // ... and publishes the event
        events.publish(EventChannels.RATES_UPDATED, EventEnvelope.of("rates.updated", "rates",
                Map.of("providers", "other-replica"))).await().atMost(WAIT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String rate;
        do {
            rate = given().get("/api/rates/EUR/USD").then().statusCode(200).extract().path("rate");
        } while (!rate.equals("2.000000000000000000") && System.nanoTime() < deadline && sleep());
        assertEquals("2.000000000000000000", rate);
    }

    @Test
    void databaseDownServesTheLastKnownRate() throws Exception {
        refreshNow();
        given().get("/api/rates/EUR/CHF").then().statusCode(200);
        cache.invalidateAll().await().atMost(WAIT); // neither L1 nor Redis hold it now
        exec("ALTER TABLE rates.exchange_rates RENAME TO exchange_rates_offline");
        try {
            given().get("/api/rates/EUR/CHF").then().statusCode(200).body("rate", equalTo("0.927700000000000000"));
            // never loaded here: nothing to fall back on, a clear 503 problem
            given().get("/api/rates/EUR/SEK").then().statusCode(503).contentType("application/problem+json")
                    .body("type", equalTo("https://strata.dev/problems/dependency-unavailable"));
        } finally {
            exec("ALTER TABLE rates.exchange_rates_offline RENAME TO exchange_rates");
        }
        given().get("/api/rates/EUR/SEK").then().statusCode(200);
    }

    @Test
    void metricsAreExported() {
        refreshNow();
        given().get("/api/rates/EUR/USD").then().statusCode(200);
        String metrics = given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        for (String m : new String[] {"rates_cache_requests_total{layer=\"l1\",result=\"miss\"",
                "rates_cache_requests_total{layer=\"redis\",result=\"miss\"",
                "rates_refresh_total{outcome=\"success\",provider=\"ecb\"", "rates_age_seconds{provider=\"ecb\"",
                "rates_db_queries_total{query=\"pair\""}) {
            assertTrue(metrics.contains(m), m);
        }
        assertFalse(metrics.lines().anyMatch(l -> l.startsWith("rates_age_seconds{provider=\"ecb\"") && l.endsWith("NaN")));
        given().port(management.getPort()).get("/q/health/ready").then().statusCode(200).body(containsString("rates-providers"));
        // what a replica that did not refresh itself reports: read from the database on its ticks
        refresher.updateAgeGauge().await().atMost(WAIT);
        double age = registry.find("rates_age_seconds").tag("provider", "er-api").gauge().value();
        assertTrue(age >= java.time.Duration.between(java.time.Instant.ofEpochSecond(1763683351L),
                java.time.Instant.now()).toSeconds() - 5, "age of the er-api fixture publication, was " + age);
    }

    private double redisHits() {
        return registry.find("rates_cache_requests").tag("layer", "redis").tag("result", "hit").counter().count();
    }

    private static boolean sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
