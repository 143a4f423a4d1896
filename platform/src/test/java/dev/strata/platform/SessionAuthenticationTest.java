package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionRecord;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SessionAuthenticationTest {

    private static final String UNAUTHENTICATED = "https://strata.dev/problems/unauthenticated";

    @Inject
    SessionStore store;

    @Inject
    RedisDataSource redis;

    @Inject
    ObjectMapper json;

    @Inject
    dev.strata.platform.security.SessionNearCache nearCache;

    @Test
    void validBearerTokenResolvesTheCallerWithRoles() {
        TestSessions.Minted s = TestSessions.mint(store, "user", "reviewer");
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200)
                .body("userId", equalTo(s.record().userId()))
                .body("sessionId", equalTo(s.record().sessionId()))
                .body("roles", containsInAnyOrder("user", "reviewer"));
    }

    @Test
    void sessionCookieWorksLikeTheHeader() {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        given().cookie("__Host-strata_session", s.token()).get("/api/probes/me").then().statusCode(200)
                .body("userId", equalTo(s.record().userId()));
    }

    @Test
    void missingTokenIs401Problem() {
        given().get("/api/probes/me").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("type", equalTo(UNAUTHENTICATED)).body("status", equalTo(401));
    }

    @Test
    void malformedTokenIs401Problem() {
        for (String bad : new String[] {"short", "x".repeat(43) + "!", "a b", "ééééééééééééééééééééééééééééééééééééééééééé"}) {
            given().header("Authorization", "Bearer " + bad).get("/api/probes/me").then().statusCode(401)
                    .contentType("application/problem+json").body("type", equalTo(UNAUTHENTICATED));
        }
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/api/probes/me").then().statusCode(401)
                .body("type", equalTo(UNAUTHENTICATED));
    }

    @Test
    void unknownTokenIs401Problem() {
        given().auth().oauth2(SessionTokens.newToken()).get("/api/probes/me").then().statusCode(401)
                .contentType("application/problem+json").body("type", equalTo(UNAUTHENTICATED));
    }

    @Test
    void expiredSessionIs401EvenIfRedisStillHoldsIt() throws Exception {
        String token = SessionTokens.newToken();
        Instant past = Instant.now().minus(Duration.ofMinutes(1));
        SessionRecord r = new SessionRecord(UUID.randomUUID().toString(), UUID.randomUUID().toString(), "e@x.io",
                Set.of("user"), past.minus(Duration.ofHours(1)), past, past, 0);
        // written raw with a long TTL: the absolute expiry inside the record must still be enforced
        redis.value(String.class).setex("session:" + SessionTokens.hash(token), 3600,
                json.writeValueAsString(TestSessions.SIGNER.sign(SessionTokens.hash(token), r)));
        given().auth().oauth2(token).get("/api/probes/me").then().statusCode(401)
                .body("type", equalTo(UNAUTHENTICATED));
        // and the dead entry is cleaned up
        org.junit.jupiter.api.Assertions.assertNull(
                redis.value(String.class).get("session:" + SessionTokens.hash(token)));
    }

    @Test
    void revokedSessionIsRejectedAtOnce() {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
        store.delete(s.record().userId(), SessionTokens.hash(s.token())).await().atMost(Duration.ofSeconds(5));
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401)
                .body("type", equalTo(UNAUTHENTICATED));
    }

    @Test
    void revokeAllOthersKeepsOnlyTheCurrentSession() {
        TestSessions.Minted a = TestSessions.mint(store, "user");
        // a second session of the same user
        String token2 = SessionTokens.newToken();
        SessionRecord r2 = new SessionRecord(UUID.randomUUID().toString(), a.record().userId(), "e@x.io",
                Set.of("user"), Instant.now(), Instant.now().plus(Duration.ofHours(1)), Instant.now(), 600);
        store.save(SessionTokens.hash(token2), TestSessions.SIGNER.sign(SessionTokens.hash(token2), r2))
                .await().atMost(Duration.ofSeconds(5));
        var removed = store.deleteAllOf(a.record().userId(), SessionTokens.hash(a.token()))
                .await().atMost(Duration.ofSeconds(5));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(SessionTokens.hash(token2)), removed);
        given().auth().oauth2(a.token()).get("/api/probes/me").then().statusCode(200);
        given().auth().oauth2(token2).get("/api/probes/me").then().statusCode(401);
    }

    @Test
    void replacingRolesKeepsTheTtlAndNeverRevivesARevokedSession() {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        String key = "session:" + SessionTokens.hash(s.token());
        redis.key().expire(key, 300);
        SessionRecord r = s.record();
        SessionRecord promoted = TestSessions.SIGNER.sign(SessionTokens.hash(s.token()), new SessionRecord(
                r.sessionId(), r.userId(), r.email(), Set.of("user", "admin"), r.createdAt(), r.expiresAt(),
                r.lastSeenAt(), r.idleSeconds()));
        store.replace(SessionTokens.hash(s.token()), promoted).await().atMost(Duration.ofSeconds(5));
        long ttl = redis.key().ttl(key);
        org.junit.jupiter.api.Assertions.assertTrue(ttl > 0 && ttl <= 300, "TTL not kept: " + ttl);
        given().auth().oauth2(s.token()).get("/api/probes/admin").then().statusCode(200);

        store.delete(r.userId(), SessionTokens.hash(s.token())).await().atMost(Duration.ofSeconds(5));
        store.replace(SessionTokens.hash(s.token()), promoted).await().atMost(Duration.ofSeconds(5));
        org.junit.jupiter.api.Assertions.assertNull(redis.value(String.class).get(key));
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401);
    }

    @Test
    void idleTimeoutSlidesTheRedisTtl() {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        String key = "session:" + SessionTokens.hash(s.token());
        redis.key().expire(key, 5);
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
        long ttl = redis.key().ttl(key);
        org.junit.jupiter.api.Assertions.assertTrue(ttl > 500, "idle TTL not slid: " + ttl);
    }

    /** Write access to Redis is not enough to become someone, or to become admin. */
    @Test
    void recordsNotSignedByAuthServiceAreRefused() throws Exception {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        String hash = SessionTokens.hash(s.token());
        String key = "session:" + hash;
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
        SessionRecord r = s.record();
        // 1. the roles edited in place: the signature no longer matches
        SessionRecord promoted = new SessionRecord(r.sessionId(), r.userId(), r.email(), Set.of("user", "admin"),
                r.createdAt(), r.expiresAt(), r.lastSeenAt(), r.idleSeconds(), r.keyId(), r.signature());
        redis.value(String.class).setex(key, 600, json.writeValueAsString(promoted));
        nearCache.invalidateAll(); // the near-cache would serve the verified record for up to its TTL
        given().auth().oauth2(s.token()).get("/api/probes/admin").then().statusCode(401)
                .body("type", equalTo(UNAUTHENTICATED));
        // 2. a record written with no signature at all
        redis.value(String.class).setex(key, 600, json.writeValueAsString(r.withSignature(null, null)));
        nearCache.invalidateAll(); // the near-cache would serve the verified record for up to its TTL
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401);
        // 3. signed by a key auth-service does not have (same key id)
        var attacker = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        var forger = dev.strata.platform.security.SessionSignatures.signer("test-1:"
                + java.util.Base64.getEncoder().encodeToString(attacker.getPrivate().getEncoded()));
        redis.value(String.class).setex(key, 600, json.writeValueAsString(forger.sign(hash,
                r.withSignature(null, null))));
        nearCache.invalidateAll(); // the near-cache would serve the verified record for up to its TTL
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401);
        // 4. a genuine admin record copied under the attacker's own token
        TestSessions.Minted admin = TestSessions.mint(store, "user", "admin");
        String mine = SessionTokens.newToken();
        redis.value(String.class).setex("session:" + SessionTokens.hash(mine), 600,
                redis.value(String.class).get("session:" + SessionTokens.hash(admin.token())));
        nearCache.invalidateAll(); // the near-cache would serve the verified record for up to its TTL
        given().auth().oauth2(mine).get("/api/probes/admin").then().statusCode(401);
        given().auth().oauth2(admin.token()).get("/api/probes/admin").then().statusCode(200);
        // 5. an unknown key id
        redis.value(String.class).setex(key, 600, json.writeValueAsString(r.withSignature("other", r.signature())));
        nearCache.invalidateAll(); // the near-cache would serve the verified record for up to its TTL
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401);
        // the genuine record still works
        redis.value(String.class).setex(key, 600, json.writeValueAsString(r));
        nearCache.invalidateAll(); // the near-cache would serve the verified record for up to its TTL
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);
    }

    @Test
    void rolesAreEnforced() {
        TestSessions.Minted user = TestSessions.mint(store, "user");
        given().auth().oauth2(user.token()).get("/api/probes/admin").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/forbidden"));
        TestSessions.Minted admin = TestSessions.mint(store, "user", "admin");
        given().auth().oauth2(admin.token()).get("/api/probes/admin").then().statusCode(200)
                .body("status", equalTo("admin"));
        given().get("/api/probes/admin").then().statusCode(401);
    }

    @Test
    void publicEndpointsNeedNoSession() {
        given().get("/api/probes/public").then().statusCode(200).body("status", equalTo("ok"));
    }
}
