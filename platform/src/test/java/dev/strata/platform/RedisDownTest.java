package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.testsupport.NearCaches;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;
import dev.strata.testing.EmbeddedRedis;
import dev.strata.platform.testsupport.TestSessions;

/** Stops and restarts a Redis of its own (OwnRedisResource), so it runs everywhere and disturbs no other test. */
@QuarkusTest
@WithTestResource(value = OwnRedisResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RedisDownTest {

    @Inject
    SessionStore store;

    @Inject
    io.quarkus.redis.datasource.ReactiveRedisDataSource reactiveRedis;

    @Inject
    io.quarkus.redis.datasource.RedisDataSource redisDataSource;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    @Inject
    io.vertx.core.Vertx vertx;

    @Inject
    dev.strata.platform.security.SessionVerifier verifier;

    @Test
    void authenticationFailsClosedWhileRedisIsDownAndRecoversAfter() throws Exception {
        EmbeddedRedis redis = OwnRedisResource.redis;
        TestSessions.Minted s = TestSessions.mint(store, "user");
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);

        redis.stop();
        try {
            given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(503)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://strata.dev/problems/dependency-unavailable"));
            given().header("X-Forwarded-For", "192.0.2.200").get("/api/probes/limited").then().statusCode(503)
                    .contentType("application/problem+json");
            // endpoints that need neither a session nor a limit keep working
            given().get("/api/probes/public").then().statusCode(200);
        } finally {
            redis.start();
        }
        // Redis came back empty: the old session is gone (401, never 200), a new one works
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401);
        TestSessions.Minted fresh = TestSessions.mint(store, "user");
        given().auth().oauth2(fresh.token()).get("/api/probes/me").then().statusCode(200)
                .body("userId", equalTo(fresh.record().userId()));
    }

    /**
     * The near-cache trusts its entries only while its invalidation feed is confirmed: when the subscription's
     * connection is killed (revocations published meanwhile are lost), a replica whose entries would otherwise live
     * 30 s empties and bypasses its cache at once, then uses it again once the new subscription is confirmed. With
     * Redis stopped nothing is accepted from the cache either.
     */
    @Test
    void aLostSubscriptionEmptiesAndBypassesTheNearCache() throws Exception {
        try (NearCaches.Replica other = NearCaches.replica(reactiveRedis, json, vertx, verifier,
                NearCaches.config(java.time.Duration.ofSeconds(30)))) {
            TestSessions.Minted s = TestSessions.mint(store, "user");
            other.authenticate(s.token());
            org.junit.jupiter.api.Assertions.assertTrue(other.cached(s.token()));

            long start = System.nanoTime();
            redisDataSource.execute("CLIENT", "KILL", "TYPE", "pubsub");
            // a revocation whose event is lost with the connection: only the health check can stop the cache
            redisDataSource.key().del("session:" + SessionTokens.hash(s.token()));
            NearCaches.await(() -> refused(other, s.token()), java.time.Duration.ofSeconds(3),
                    "a lost subscription let a deleted session through");
            long took = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("near-cache: pub/sub connection killed, deleted session refused after %d ms%n", took);
            org.junit.jupiter.api.Assertions.assertTrue(took <= 1000, "refused after " + took + " ms");

            // the subscription is made again and confirmed: the cache serves again
            NearCaches.await(other.cache()::healthy, java.time.Duration.ofSeconds(10), "never resubscribed");
            TestSessions.Minted fresh = TestSessions.mint(store, "user");
            other.authenticate(fresh.token());
            org.junit.jupiter.api.Assertions.assertTrue(other.cached(fresh.token()));

            // Redis stopped: the cached session is not accepted from the cache for longer than the bound
            OwnRedisResource.redis.stop();
            try {
                long stopped = System.nanoTime();
                NearCaches.await(() -> !accepted(other, fresh.token()), java.time.Duration.ofSeconds(3),
                        "a session was accepted from the cache with Redis down");
                long down = (System.nanoTime() - stopped) / 1_000_000;
                org.junit.jupiter.api.Assertions.assertTrue(down <= 1000, "still accepted after " + down + " ms");
                org.junit.jupiter.api.Assertions.assertFalse(other.cache().healthy());
            } finally {
                OwnRedisResource.redis.start();
            }
        }
    }

    private static boolean refused(NearCaches.Replica replica, String token) {
        try {
            replica.authenticate(token);
            return false;
        } catch (io.quarkus.security.AuthenticationFailedException e) {
            return true;
        }
    }

    private static boolean accepted(NearCaches.Replica replica, String token) {
        try {
            replica.authenticate(token);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
