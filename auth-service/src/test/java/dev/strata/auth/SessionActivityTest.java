package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.auth.service.LastSeenWriter;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;
import dev.strata.testing.StrataServersResource;

/**
 * What the session check leaves behind: the last-seen time (noted in Redis by the check, written to Postgres in
 * batches), sessions that idled out disappearing from the list, and {@code sessions.created} for a sign-in from a
 * new address or browser.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SessionActivityTest {

    @Inject
    RedisDataSource redis;

    @Inject
    LastSeenWriter lastSeen;

    static Instant lastSeenInPostgres(String sessionId) throws Exception {
        return Instant.parse(Api.column("select to_char(last_seen_at at time zone 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from auth.sessions where id = ?::uuid", sessionId).get(0));
    }

    @Test
    void aCheckIsNotedInRedisAndWrittenToPostgresInABatch() throws Exception {
        Api.Signed me = Api.newUser();
        String hash = SessionTokens.hash(me.token());
        Api.exec("update auth.sessions set last_seen_at = now() - interval '1 hour' where id = ?::uuid", me.sessionId());
        redis.sortedSet(String.class).zrem(SessionStore.SEEN_KEY, hash);
        Instant before = Instant.now().minusSeconds(1);

        // auth-service itself checked it at sign-in: the next check goes to Redis after the near-cache bound
        assertTrue(waitUntilNoted(me, hash).isPresent(), "the check noted the time in Redis");
        assertTrue(lastSeenInPostgres(me.sessionId()).isBefore(before), "Postgres not written by the check itself");

        assertTrue(lastSeen.flush().await().atMost(Duration.ofSeconds(10)) >= 1);
        Instant written = lastSeenInPostgres(me.sessionId());
        assertTrue(!written.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                "last_seen_at written: " + written);
        assertTrue(redis.sortedSet(String.class).zscore(SessionStore.SEEN_KEY, hash).isEmpty(), "taken out of Redis");
        // the list shows it too
        String listed = as(me).get("/api/sessions").then().statusCode(200).extract().path("[0].lastSeenAt");
        assertTrue(!Instant.parse(listed).isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)), listed);
    }

    /** Calls an authenticated endpoint until the check (not the near-cache) has noted the session in Redis. */
    java.util.OptionalDouble waitUntilNoted(Api.Signed me, String hash) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        java.util.OptionalDouble score = java.util.OptionalDouble.empty();
        while (score.isEmpty() && System.nanoTime() < deadline) {
            as(me).get("/api/users/me").then().statusCode(200);
            score = redis.sortedSet(String.class).zscore(SessionStore.SEEN_KEY, hash);
        }
        return score;
    }

    @Test
    void theListLeavesOutSessionsThatIdledOutAndShowsTheLatestCheck() throws Exception {
        Api.Signed me = Api.newUser();
        Api.Signed idle = Api.signIn(me.account());
        Api.Signed recent = Api.signIn(me.account());
        // idle: nobody checked it for longer than the idle timeout (1 day), so Redis dropped it
        Api.exec("update auth.sessions set last_seen_at = now() - interval '2 days' where id = ?::uuid",
                idle.sessionId());
        redis.key().del("session:" + SessionTokens.hash(idle.token()));
        redis.sortedSet(String.class).zrem(SessionStore.SEEN_KEY, SessionTokens.hash(idle.token()));
        // recent: Postgres is behind, but a check noted it in Redis a moment ago (not written yet)
        Api.exec("update auth.sessions set last_seen_at = now() - interval '2 days' where id = ?::uuid",
                recent.sessionId());
        redis.sortedSet(String.class).zadd(SessionStore.SEEN_KEY, Instant.now().getEpochSecond(),
                SessionTokens.hash(recent.token()));

        List<Map<String, Object>> listed = as(me).get("/api/sessions").then().statusCode(200).extract().path("$");
        List<Object> ids = listed.stream().map(m -> m.get("id")).toList();
        assertTrue(ids.contains(me.sessionId()) && ids.contains(recent.sessionId()), ids.toString());
        assertTrue(!ids.contains(idle.sessionId()), "idled-out session listed: " + ids);
        Map<String, Object> r = listed.stream().filter(m -> recent.sessionId().equals(m.get("id"))).findFirst()
                .orElseThrow();
        assertTrue(Instant.parse((String) r.get("lastSeenAt")).isAfter(Instant.now().minusSeconds(60)),
                "the check noted in Redis wins over the older row: " + r);
        // the idle row is still in Postgres (the record of what happened), just not live
        assertEquals(1, count("select count(*) from auth.sessions where id = ?::uuid and revoked_at is null",
                idle.sessionId()));
    }

    @Test
    void aSignInFromANewAddressOrBrowserIsAnnouncedOnce() throws Exception {
        Api.Account a = Api.signUp();
        String ip = Api.randomIp();
        signIn(a, ip, "Browser A");
        assertEquals(0, created(a.id()), "the first session of an account is no news");
        signIn(a, ip, "Browser A");
        assertEquals(0, created(a.id()), "same address and browser as before");
        String fromElsewhere = signIn(a, Api.randomIp(), "Browser A");
        String newBrowser = signIn(a, ip, "Browser B");
        assertEquals(2, created(a.id()));
        assertEquals(1, count("select count(*) from auth.outbox where type = 'sessions.created'"
                + " and payload->'data'->>'sessionId' = ? and payload->'data'->>'userAgent' = 'Browser A'",
                fromElsewhere));
        assertEquals(1, count("select count(*) from auth.outbox where type = 'sessions.created'"
                + " and payload->'data'->>'sessionId' = ? and payload->'data'->>'ip' = ?", newBrowser, ip));
        // a failed sign-in opens nothing and announces nothing
        Api.from(Api.randomIp()).contentType(ContentType.JSON).header("User-Agent", "Browser C")
                .body(Map.of("email", a.email(), "password", "wrong-password-1")).post("/api/sessions")
                .then().statusCode(401);
        assertEquals(2, created(a.id()));
    }

    static String signIn(Api.Account a, String ip, String userAgent) {
        return Api.from(ip).contentType(ContentType.JSON).header("User-Agent", userAgent)
                .body(Map.of("email", a.email(), "password", a.password())).post("/api/sessions")
                .then().statusCode(201).extract().path("sessionId");
    }

    static long created(String userId) throws Exception {
        return count("select count(*) from auth.outbox where type = 'sessions.created' and subject = ?",
                userId);
    }
}
