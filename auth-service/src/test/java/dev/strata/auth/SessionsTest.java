package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.security.SessionTokens;
import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SessionsTest {

    @Inject
    EventBus bus;

    @Inject
    RedisDataSource redis;

    @Test
    void listsOnlyMyLiveSessionsAndMarksTheCurrentOne() {
        Api.Account a = Api.signUp();
        Api.Signed first = Api.signIn(a);
        Api.Signed second = Api.signIn(a);
        Api.Signed other = Api.newUser();
        as(second).get("/api/sessions").then().statusCode(200).body("", hasSize(2))
                .body("id", hasItem(first.sessionId())).body("id", hasItem(second.sessionId()))
                .body("find { it.current }.id", equalTo(second.sessionId()))
                .body("find { !it.current }.id", equalTo(first.sessionId()));
        as(other).get("/api/sessions").then().statusCode(200).body("", hasSize(1))
                .body("[0].id", equalTo(other.sessionId()));
    }

    @Test
    void revokingASessionRejectsItAtOnceAndAnnouncesIt() throws Exception {
        LinkedBlockingQueue<EventEnvelope> inbox = new LinkedBlockingQueue<>();
        var sub = bus.subscribe(EventChannels.SESSIONS_FAMILY, (ch, e) -> {
            if (EventChannels.SESSIONS_REVOKED.equals(ch)) {
                inbox.add(e);
            }
        }).await().atMost(Duration.ofSeconds(5));
        try {
            Api.Account a = Api.signUp();
            Api.Signed keep = Api.signIn(a);
            Api.Signed doomed = Api.signIn(a);
            as(doomed).get("/api/sessions/current").then().statusCode(200);
            as(keep).delete("/api/sessions/" + doomed.sessionId()).then().statusCode(204);
            // the platform mechanism every service uses: the very next request is refused
            as(doomed).get("/api/sessions/current").then().statusCode(401);
            as(doomed).get("/api/users/me").then().statusCode(401);
            as(keep).get("/api/sessions/current").then().statusCode(200);
            String hash = SessionTokens.hash(doomed.token());
            assertFalse(redis.key().exists("session:" + hash));
            assertFalse(redis.set(String.class).smembers("user-sessions:" + a.id()).contains(hash));
            assertEquals(1, count("select count(*) from auth.sessions where id = ?::uuid and revoked_at is not null",
                    doomed.sessionId()));
            EventEnvelope e = poll(inbox, a.id());
            assertEquals("sessions.revoked", e.type());
            assertEquals(List.of(doomed.sessionId()), e.data().get("sessionIds"));
            assertEquals(List.of(hash), e.data().get("tokenHashes"));
            // revoking it again: it no longer exists as a live session
            as(keep).delete("/api/sessions/" + doomed.sessionId()).then().statusCode(404);
        } finally {
            sub.unsubscribe().await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void nobodyCanRevokeSomebodyElsesSession() throws Exception {
        Api.Signed alice = Api.newUser();
        Api.Signed mallory = Api.newUser();
        as(mallory).delete("/api/sessions/" + alice.sessionId()).then().statusCode(404)
                .body("type", equalTo("https://strata.dev/problems/not-found"));
        as(mallory).delete("/api/sessions/" + UUID.randomUUID()).then().statusCode(404);
        as(mallory).delete("/api/sessions/not-a-uuid").then().statusCode(400).body("errors.field", hasItem("id"));
        given().delete("/api/sessions/" + alice.sessionId()).then().statusCode(401);
        as(alice).get("/api/sessions/current").then().statusCode(200);
        assertEquals(0, count("select count(*) from auth.sessions where id = ?::uuid and revoked_at is not null",
                alice.sessionId()));
    }

    @Test
    void revokeAllOthersKeepsTheCallingSession() throws Exception {
        Api.Account a = Api.signUp();
        Api.Signed s1 = Api.signIn(a);
        Api.Signed s2 = Api.signIn(a);
        Api.Signed s3 = Api.signIn(a);
        Api.Signed bystander = Api.newUser();
        as(s3).delete("/api/sessions").then().statusCode(400).body("errors.field", hasItem("scope"));
        as(s3).queryParam("scope", "everything").delete("/api/sessions").then().statusCode(400);
        assertEquals(3, count("select count(*) from auth.sessions where user_id = ?::uuid and revoked_at is null",
                a.id()));
        given().queryParam("scope", "others").delete("/api/sessions").then().statusCode(401);

        as(s3).queryParam("scope", "others").delete("/api/sessions").then().statusCode(200)
                .body("revoked", equalTo(2));
        as(s1).get("/api/sessions/current").then().statusCode(401);
        as(s2).get("/api/sessions/current").then().statusCode(401);
        as(s3).get("/api/sessions/current").then().statusCode(200);
        as(bystander).get("/api/sessions/current").then().statusCode(200);
        as(s3).get("/api/sessions").then().body("", hasSize(1));

        as(s3).queryParam("scope", "all").delete("/api/sessions").then().statusCode(200).body("revoked", equalTo(1));
        as(s3).get("/api/sessions/current").then().statusCode(401);
        assertEquals(0, count("select count(*) from auth.sessions where user_id = ?::uuid and revoked_at is null",
                a.id()));
        assertTrue(redis.set(String.class).smembers("user-sessions:" + a.id()).isEmpty());
    }

    @Test
    void changingThePasswordRevokesTheOtherSessions() throws Exception {
        Api.Account a = Api.signUp();
        Api.Signed other = Api.signIn(a);
        Api.Signed me = Api.signIn(a);
        String before = Api.column("select password_hash from auth.users where id = ?::uuid", a.id()).get(0);

        as(me).contentType(ContentType.JSON).body(Map.of("currentPassword", "not it at all", "newPassword",
                "a brand new password")).put("/api/users/me/password").then().statusCode(400)
                .body("errors.field", hasItem("currentPassword"));
        as(me).contentType(ContentType.JSON).body(Map.of("currentPassword", a.password(), "newPassword", "short"))
                .put("/api/users/me/password").then().statusCode(400).body("errors.field", hasItem("newPassword"));
        as(me).contentType(ContentType.JSON).body(Map.of("currentPassword", a.password()))
                .put("/api/users/me/password").then().statusCode(400).body("errors.field", hasItem("newPassword"));
        assertEquals(before, Api.column("select password_hash from auth.users where id = ?::uuid", a.id()).get(0));
        as(other).get("/api/sessions/current").then().statusCode(200);

        as(me).contentType(ContentType.JSON).body(Map.of("currentPassword", a.password(), "newPassword",
                "a brand new password")).put("/api/users/me/password").then().statusCode(200)
                .body("revoked", equalTo(1));
        as(other).get("/api/sessions/current").then().statusCode(401);
        as(me).get("/api/sessions/current").then().statusCode(200);
        Api.signInResponse(a.email(), a.password()).then().statusCode(401);
        Api.signInResponse(a.email(), "a brand new password").then().statusCode(201);
    }

    private static EventEnvelope poll(LinkedBlockingQueue<EventEnvelope> inbox, String userId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            EventEnvelope e = inbox.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && userId.equals(e.subject())) {
                return e;
            }
        }
        assertNotNull(null, "no strata.sessions.revoked event for " + userId);
        return null;
    }
}
