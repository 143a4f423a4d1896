package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StrataServersResource;

/** Events on the durable streams land in the right user's inbox, once, as the user's preferences say. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InboxTest {

    @Inject
    SessionStore sessions;
    @Inject
    RedisDataSource redis;

    static Response inbox(TestSessions.Minted who) {
        return given().auth().oauth2(who.token()).get("/api/notifications");
    }

    /** Waits until the user's inbox has {@code n} entries (the consumers run in the background). */
    static Response awaitInbox(TestSessions.Minted who, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Response r = inbox(who);
        while (r.jsonPath().getList("items").size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = inbox(who);
        }
        return r;
    }

    @Test
    void aKycDecisionReachesItsUserOnlyOnceAndCanBeMarkedRead() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        TestSessions.Minted other = TestSessions.mint(sessions, "user");
        EventEnvelope approved = Events.kycDecision(me.record().userId(), "approved");
        Events.xadd(redis, approved);
        // the same event again (an at-least-once redelivery): still one entry
        Events.xadd(redis, approved);
        // a status nobody is told about, and an event of another user
        Events.xadd(redis, Events.kycDecision(me.record().userId(), "submitted"));
        Events.xadd(redis, Events.kycDecision(other.record().userId(), "rejected"));
        Events.xadd(redis, Events.account(me.record().userId(), "sessions_revoked"));

        Response mine = awaitInbox(me, 2);
        mine.then().statusCode(200).body("items", hasSize(2)).body("unread", equalTo(2));
        List<Map<String, Object>> items = mine.jsonPath().getList("items");
        // the two streams are read by separate consumers: which entry is newer is not given, but the order is
        assertEquals(java.util.Set.of("accounts.sessions_revoked", "kyc.approved"),
                new java.util.HashSet<>(items.stream().map(i -> (String) i.get("type")).toList()));
        assertTrue(!java.time.Instant.parse((String) items.get(0).get("createdAt"))
                .isBefore(java.time.Instant.parse((String) items.get(1).get("createdAt"))), "newest first");
        for (Map<String, Object> i : items) {
            assertEquals("kyc.approved".equals(i.get("type")) ? "kyc" : "security", i.get("category"));
        }
        // the kyc entry is the one marked read below
        items = new java.util.ArrayList<>(items);
        items.sort(java.util.Comparator.comparing(i -> "kyc.approved".equals(i.get("type")) ? 1 : 0));
        awaitInbox(other, 1).then().body("items", hasSize(1)).body("items[0].type", equalTo("kyc.rejected"));
        Thread.sleep(300);
        inbox(me).then().body("items", hasSize(2));

        String id = (String) items.get(1).get("id");
        // another user cannot mark it, nor learn it exists
        given().auth().oauth2(other.token()).post("/api/notifications/" + id + "/read").then().statusCode(404);
        given().auth().oauth2(me.token()).post("/api/notifications/" + id + "/read").then().statusCode(204);
        given().auth().oauth2(me.token()).get("/api/notifications/unread-count").then().body("unread", equalTo(1));
        inbox(me).then().body("items.find { it.id == '" + id + "' }.readAt", org.hamcrest.Matchers.notNullValue())
                .body("items.find { it.id != '" + id + "' }.readAt", org.hamcrest.Matchers.nullValue());
        given().auth().oauth2(me.token()).get("/api/notifications?unread=true").then().body("items", hasSize(1));
        given().auth().oauth2(me.token()).post("/api/notifications/read-all").then().statusCode(200)
                .body("marked", equalTo(1));
        given().auth().oauth2(me.token()).get("/api/notifications/unread-count").then().body("unread", equalTo(0));
    }

    @Test
    void aUserWhoTurnedPushOffForACategoryGetsNoEntry() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        Map<String, Object> on = Map.of("kyc", true, "security", true, "transfers", true, "alerts", true);
        Map<String, Object> noKyc = Map.of("kyc", false, "security", true, "transfers", true, "alerts", true);
        given().auth().oauth2(me.token()).contentType("application/json")
                .body(Map.of("channels", Map.of("email", on, "push", noKyc, "webhook", on)))
                .put("/api/settings/me/notifications").then().statusCode(200);
        Events.xadd(redis, Events.kycDecision(me.record().userId(), "approved"));
        Events.xadd(redis, Events.account(me.record().userId(), "password_changed"));
        awaitInbox(me, 1).then().body("items", hasSize(1)).body("items[0].type", equalTo("accounts.password_changed"));
        Thread.sleep(300);
        inbox(me).then().body("items", hasSize(1));
    }

    @Test
    void pagesAreStableAndBadParametersAre400() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        for (int i = 0; i < 5; i++) {
            Events.xadd(redis, Events.account(me.record().userId(), "linked"));
        }
        awaitInbox(me, 5);
        Response first = given().auth().oauth2(me.token()).get("/api/notifications?limit=2");
        first.then().statusCode(200).body("items", hasSize(2));
        String cursor = first.path("nextCursor");
        assertNotNull(cursor);
        Response second = given().auth().oauth2(me.token()).queryParam("cursor", cursor).get("/api/notifications?limit=2");
        second.then().body("items", hasSize(2));
        Response third = given().auth().oauth2(me.token()).queryParam("cursor", (String) second.path("nextCursor"))
                .get("/api/notifications?limit=2");
        third.then().body("items", hasSize(1));
        assertNull(third.path("nextCursor"));
        List<String> seen = new java.util.ArrayList<>();
        for (Response r : List.of(first, second, third)) {
            seen.addAll(r.jsonPath().getList("items.id"));
        }
        assertEquals(5, new java.util.HashSet<>(seen).size(), "no entry twice, none skipped");

        for (String bad : List.of("limit=0", "limit=101", "limit=x", "limit=99999999999", "unread=yes",
                "cursor=%00", "cursor=bm90IGEgY3Vyc29y")) {
            given().auth().oauth2(me.token()).urlEncodingEnabled(false).get("/api/notifications?" + bad).then()
                    .statusCode(400).contentType(org.hamcrest.Matchers.containsString("application/problem+json"));
        }
        given().auth().oauth2(me.token()).post("/api/notifications/not-a-uuid/read").then().statusCode(400);
        given().auth().oauth2(me.token()).post("/api/notifications/" + java.util.UUID.randomUUID() + "/read").then()
                .statusCode(404);
        given().get("/api/notifications").then().statusCode(401);
        given().post("/api/notifications/read-all").then().statusCode(401);
    }
}
