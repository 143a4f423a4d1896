package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.testsupport.NearCaches;
import dev.strata.platform.security.SessionNearCache;
import dev.strata.platform.security.SessionRecord;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;
import dev.strata.platform.security.SessionVerifier;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StrataServersResource;

/**
 * The session near-cache against the real Redis: the application's own cache (through HTTP) and a second,
 * independent replica built in the test (as another service would run it). Changes are made the way auth-service
 * makes them from another process: straight in Redis, then an event; never through this process's store, which
 * would drop the entry locally.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SessionNearCacheTest {

    private static final Duration BOUND = Duration.ofSeconds(1);

    @Inject
    SessionStore store;

    @Inject
    SessionNearCache nearCache;

    @Inject
    SessionVerifier verifier;

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    RedisDataSource redis;

    @Inject
    EventBus bus;

    @Inject
    ObjectMapper json;

    @Inject
    Vertx vertx;

    @Test
    void aRepeatedTokenIsServedFromTheCacheWithoutRedis() {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        String hash = SessionTokens.hash(s.token());
        NearCaches.await(nearCache::healthy, Duration.ofSeconds(10), "the application's near-cache is not healthy");
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
        assertTrue(nearCache.get(hash) != null, "a checked session is cached");
        // a record edited in Redis by someone else is not even read while the entry is young: the cache answers
        redis.value(String.class).set("session:" + hash, "not a session", new SetArgs().xx().keepttl());
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
        // and once the entry is gone (at the latest after the TTL), Redis is asked again and the junk is refused
        nearCache.invalidate(hash);
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401);
    }

    @Test
    void revocationIsRefusedWithinOneSecondInEveryReplica() {
        // the replica trusts entries for 30 s: only the event can make it refuse within the bound
        try (NearCaches.Replica other = NearCaches.replica(reactiveRedis, json, vertx, verifier,
                NearCaches.config(Duration.ofSeconds(30)))) {
            TestSessions.Minted s = TestSessions.mint(store, "user");
            String hash = SessionTokens.hash(s.token());
            NearCaches.await(nearCache::healthy, Duration.ofSeconds(10), "the application's near-cache is not healthy");
            given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
            assertEquals(s.userId(), other.authenticate(s.token()).getPrincipal().getName());
            assertTrue(other.cached(s.token()) && nearCache.get(hash) != null, "both caches hold the session");

            // what auth-service does: delete the key, then announce it
            long start = System.nanoTime();
            redis.key().del("session:" + hash);
            bus.publish(EventChannels.SESSIONS_REVOKED, EventEnvelope.of("sessions.revoked", s.userId(),
                    Map.of("sessionIds", List.of(s.record().sessionId()), "tokenHashes", List.of(hash),
                            "reason", "signed-out")))
                    .await().atMost(Duration.ofSeconds(5));
            NearCaches.await(() -> given().auth().oauth2(s.token()).get("/api/probes/me").statusCode() == 401,
                    Duration.ofSeconds(3), "the service still accepts a revoked session");
            Duration http = Duration.ofNanos(System.nanoTime() - start);
            NearCaches.await(() -> refused(other, s.token()), Duration.ofSeconds(3),
                    "the replica still accepts a revoked session");
            Duration replica = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("near-cache: revocation refused by the service after %d ms, by the replica after %d ms%n",
                    http.toMillis(), replica.toMillis());
            assertTrue(http.compareTo(BOUND) <= 0, "service refused after " + http.toMillis() + " ms");
            assertTrue(replica.compareTo(BOUND) <= 0, "replica refused after " + replica.toMillis() + " ms");
        }
    }

    @Test
    void aLostRevocationEventIsBoundedByTheTtl() {
        try (NearCaches.Replica other = NearCaches.replica(reactiveRedis, json, vertx, verifier,
                NearCaches.config(BOUND))) {
            TestSessions.Minted s = TestSessions.mint(store, "user");
            other.authenticate(s.token());
            assertTrue(other.cached(s.token()));
            long start = System.nanoTime();
            // deleted without an event: only the TTL ends the entry
            redis.key().del("session:" + SessionTokens.hash(s.token()));
            NearCaches.await(() -> refused(other, s.token()), Duration.ofSeconds(3),
                    "the replica kept a deleted session past its TTL");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("near-cache: deleted without an event, refused after %d ms%n", took.toMillis());
            // the entry was cached before the delete, so it ends within the TTL of it (+ one poll)
            assertTrue(took.toMillis() <= BOUND.toMillis() + 50, "refused after " + took.toMillis() + " ms");
        }
    }

    @Test
    void aRoleChangeReachesRolesAllowedWithinOneSecond() throws Exception {
        try (NearCaches.Replica other = NearCaches.replica(reactiveRedis, json, vertx, verifier,
                NearCaches.config(Duration.ofSeconds(30)))) {
            TestSessions.Minted s = TestSessions.mint(store, "user", "admin");
            String hash = SessionTokens.hash(s.token());
            NearCaches.await(nearCache::healthy, Duration.ofSeconds(10), "the application's near-cache is not healthy");
            given().auth().oauth2(s.token()).get("/api/probes/admin").then().statusCode(200);
            assertTrue(other.authenticate(s.token()).hasRole("admin"));

            // what auth-service does on a role change: rewrite the record (XX, KEEPTTL), then announce it
            SessionRecord r = s.record();
            SessionRecord demoted = TestSessions.SIGNER.sign(hash, new SessionRecord(r.sessionId(), r.userId(),
                    r.email(), Set.of("user"), r.createdAt(), r.expiresAt(), r.lastSeenAt(), r.idleSeconds()));
            long start = System.nanoTime();
            redis.value(String.class).set("session:" + hash, json.writeValueAsString(demoted),
                    new SetArgs().xx().keepttl());
            bus.publish(EventChannels.SESSIONS_UPDATED, EventEnvelope.of("sessions.updated", s.userId(),
                    Map.of("sessionIds", List.of(r.sessionId()), "tokenHashes", List.of(hash),
                            "reason", "roles-changed")))
                    .await().atMost(Duration.ofSeconds(5));
            NearCaches.await(() -> given().auth().oauth2(s.token()).get("/api/probes/admin").statusCode() == 403,
                    Duration.ofSeconds(3), "the service still lets a demoted admin in");
            Duration http = Duration.ofNanos(System.nanoTime() - start);
            NearCaches.await(() -> !other.authenticate(s.token()).hasRole("admin"), Duration.ofSeconds(3),
                    "the replica still sees the admin role");
            Duration replica = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("near-cache: role removed, 403 from the service after %d ms, replica after %d ms%n",
                    http.toMillis(), replica.toMillis());
            assertTrue(http.compareTo(BOUND) <= 0, "service refused after " + http.toMillis() + " ms");
            assertTrue(replica.compareTo(BOUND) <= 0, "replica refused after " + replica.toMillis() + " ms");
            // the session itself still works
            given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
        }
    }

    @Test
    void expiredRecordsAreNeverServedFromTheCache() throws Exception {
        try (NearCaches.Replica other = NearCaches.replica(reactiveRedis, json, vertx, verifier,
                NearCaches.config(Duration.ofSeconds(30)))) {
            // a session whose absolute expiry is 1.5 s away, with a long Redis TTL: only the record says it ended
            String token = SessionTokens.newToken();
            String hash = SessionTokens.hash(token);
            java.time.Instant now = java.time.Instant.now();
            SessionRecord r = TestSessions.SIGNER.sign(hash, new SessionRecord(java.util.UUID.randomUUID().toString(),
                    java.util.UUID.randomUUID().toString(), "e@x.io", Set.of("user"), now,
                    now.plusMillis(1500), now, 0));
            redis.value(String.class).setex("session:" + hash, 3600, json.writeValueAsString(r));
            other.authenticate(token);
            assertTrue(other.cached(token));
            NearCaches.await(() -> refused(other, token), Duration.ofSeconds(3), "an expired session was accepted");
            assertFalse(java.time.Instant.now().isBefore(r.expiresAt()), "refused before it expired");
        }
    }

    @Test
    void concurrentRequestsDuringARevocationNeverOutliveTheBound() throws Exception {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        String hash = SessionTokens.hash(s.token());
        NearCaches.await(nearCache::healthy, Duration.ofSeconds(10), "the application's near-cache is not healthy");
        AtomicReference<Long> revokedAt = new AtomicReference<>();
        AtomicReference<Long> lastAcceptedAfterRevocation = new AtomicReference<>(0L);
        Thread[] clients = new Thread[8];
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new Thread(() -> {
                while (!done.get()) {
                    long sent = System.nanoTime();
                    int status = given().auth().oauth2(s.token()).get("/api/probes/me").statusCode();
                    Long at = revokedAt.get();
                    if (status == 200 && at != null && sent > at) {
                        lastAcceptedAfterRevocation.accumulateAndGet(sent - at, Math::max);
                    }
                }
            });
            clients[i].start();
        }
        try {
            NearCaches.await(() -> nearCache.get(hash) != null, Duration.ofSeconds(5), "never cached");
            revokedAt.set(System.nanoTime());
            redis.key().del("session:" + hash);
            bus.publish(EventChannels.SESSIONS_REVOKED, EventEnvelope.of("sessions.revoked", s.userId(),
                    Map.of("sessionIds", List.of(s.record().sessionId()), "tokenHashes", List.of(hash),
                            "reason", "revoked")))
                    .await().atMost(Duration.ofSeconds(5));
            NearCaches.await(() -> given().auth().oauth2(s.token()).get("/api/probes/me").statusCode() == 401,
                    Duration.ofSeconds(3), "never refused");
            // keep the clients going past the bound: nothing may be accepted any more
            long until = System.nanoTime() + BOUND.toNanos();
            NearCaches.await(() -> System.nanoTime() > until, Duration.ofSeconds(3), "-");
        } finally {
            done.set(true);
            for (Thread t : clients) {
                t.join(10_000);
            }
        }
        long late = lastAcceptedAfterRevocation.get();
        assertTrue(late <= BOUND.toNanos(), "accepted " + late / 1_000_000 + " ms after the revocation");
    }

    @Test
    void aSessionServedFromTheCacheStillSlidesItsIdleTimeout() {
        try (NearCaches.Replica other = NearCaches.replica(reactiveRedis, json, vertx, verifier,
                NearCaches.config(BOUND))) {
            TestSessions.Minted s = TestSessions.mint(store, "user");
            String key = "session:" + SessionTokens.hash(s.token());
            other.authenticate(s.token());
            redis.key().expire(key, 5);
            // requests answered from the cache re-read the session in the background (≈ every ttl/2), which slides
            // the idle TTL (600 s) and keeps the entry
            NearCaches.await(() -> {
                other.authenticate(s.token());
                return redis.key().ttl(key) > 500;
            }, Duration.ofSeconds(3), "the idle TTL was not slid while the session was served from the cache");
            NearCaches.await(() -> {
                other.authenticate(s.token());
                return other.cached(s.token());
            }, Duration.ofSeconds(3), "the entry was not renewed");
        }
    }

    private static boolean refused(NearCaches.Replica replica, String token) {
        try {
            replica.authenticate(token);
            return false;
        } catch (AuthenticationFailedException e) {
            return true;
        }
    }

    @Test
    void aReplicaThatCannotSubscribeNeverCaches() {
        // a cache that never started (or never got its feed confirmed) is never healthy and never holds anything
        SessionNearCache idle = new SessionNearCache(reactiveRedis, json, vertx, NearCaches.config(BOUND));
        TestSessions.Minted s = TestSessions.mint(store, "user");
        var provider = new dev.strata.platform.security.SessionIdentityProvider(new SessionStore(reactiveRedis, json),
                verifier, idle, Duration.ofSeconds(2));
        provider.authenticate(new dev.strata.platform.security.SessionTokenRequest(s.token()), null)
                .await().atMost(Duration.ofSeconds(5));
        assertFalse(idle.healthy());
        assertEquals(null, idle.get(SessionTokens.hash(s.token())));
        redis.key().del("session:" + SessionTokens.hash(s.token()));
        assertThrows(AuthenticationFailedException.class, () -> provider.authenticate(
                new dev.strata.platform.security.SessionTokenRequest(s.token()), null).await()
                .atMost(Duration.ofSeconds(5)));
    }
}
