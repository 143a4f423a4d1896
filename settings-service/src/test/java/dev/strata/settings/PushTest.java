package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.security.SessionAuthenticationMechanism;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.settings.service.PushHub;
import dev.strata.testing.StrataServersResource;

/**
 * Real WebSocket clients on {@code /api/notifications/stream}. A socket only ever receives through Redis pub/sub
 * ({@link PushHub#CHANNEL}), the same path a socket on another replica takes, so fan-out across replicas is what
 * is exercised here.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class PushTest {

    static Vertx vertx;
    static HttpClient client;

    @Inject
    SessionStore sessions;
    @Inject
    RedisDataSource redis;
    @Inject
    PushHub hub;

    @BeforeAll
    static void client() {
        vertx = Vertx.vertx();
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A connected socket and what it received. */
    record Socket(WebSocket ws, LinkedBlockingQueue<JsonObject> messages, CompletableFuture<Short> closed) {

        JsonObject next(long millis) throws InterruptedException {
            return messages.poll(millis, TimeUnit.MILLISECONDS);
        }

        JsonObject nextOfType(String type, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + millis * 1_000_000;
            JsonObject m;
            while ((m = next(Math.max(1, (deadline - System.nanoTime()) / 1_000_000))) != null) {
                if (type.equals(m.getString("type"))) {
                    return m;
                }
            }
            return null;
        }
    }

    static WebSocketConnectOptions options() {
        return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(RestAssured.port)
                .setURI("/api/notifications/stream");
    }

    static Socket connect(WebSocketConnectOptions o) throws Exception {
        LinkedBlockingQueue<JsonObject> q = new LinkedBlockingQueue<>();
        CompletableFuture<Short> closed = new CompletableFuture<>();
        // handlers are set on the event loop as the handshake completes, before the first frame is read
        WebSocket ws = client.webSocket(o).onSuccess(w -> {
            w.textMessageHandler(t -> q.add(new JsonObject(t)));
            w.closeHandler(v -> closed.complete(w.closeStatusCode()));
        }).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return new Socket(ws, q, closed);
    }

    static Socket connect(TestSessions.Minted who) throws Exception {
        Socket s = connect(options().addHeader("Authorization", "Bearer " + who.token()));
        JsonObject ready = s.nextOfType("ready", 2000);
        assertNotNull(ready, "the server says the socket is ready");
        assertEquals(who.userId(), ready.getString("userId"));
        return s;
    }

    static Throwable refused(WebSocketConnectOptions o) throws Exception {
        try {
            client.webSocket(o).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aUserReceivesTheirOwnKycDecisionWithinASecondAndNothingOfAnotherUsers() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        TestSessions.Minted other = TestSessions.mint(sessions, "user");
        Socket mine = connect(me);
        Socket theirs = connect(other);

        long sent = System.nanoTime();
        Events.xadd(redis, Events.kycDecision(me.userId(), "approved"));
        JsonObject m = mine.nextOfType("notification", 1000);
        long took = (System.nanoTime() - sent) / 1_000_000;
        assertNotNull(m, "the decision reached the user's socket within 1 s");
        assertEquals("kyc.approved", m.getJsonObject("notification").getString("type"));
        assertEquals("kyc", m.getJsonObject("notification").getString("category"));
        assertEquals(me.userId(), m.getJsonObject("notification").getJsonObject("data").getString("userId"));
        assertTrue(took < 1000, "took " + took + " ms");

        // the other user's socket got nothing of it; their own event does reach them, and not me
        Events.xadd(redis, Events.kycDecision(other.userId(), "rejected"));
        JsonObject t = theirs.nextOfType("notification", 2000);
        assertNotNull(t);
        assertEquals("kyc.rejected", t.getJsonObject("notification").getString("type"));
        assertEquals(other.userId(), t.getJsonObject("notification").getJsonObject("data").getString("userId"));
        assertNull(theirs.nextOfType("notification", 300), "exactly one message for the other user");
        assertNull(mine.nextOfType("notification", 300), "nothing of another user's");

        // a redelivered event is in the inbox once and pushed once
        EventEnvelope again = Events.kycDecision(me.userId(), "expired");
        Events.xadd(redis, again);
        Events.xadd(redis, again);
        assertNotNull(mine.nextOfType("notification", 2000));
        assertNull(mine.nextOfType("notification", 500), "a duplicate event is not pushed again");
        mine.ws().close();
        theirs.ws().close();
    }

    @Test
    void aRevokedSessionsSocketClosesWithinASecond() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        Socket s = connect(me);
        String hash = SessionTokens.hash(me.token());
        // what auth-service does on revocation: the key goes, then the announcement
        sessions.delete(me.userId(), hash).await().atMost(Duration.ofSeconds(2));
        long start = System.nanoTime();
        redis.pubsub(String.class).publish(EventChannels.SESSIONS_REVOKED, Events.JSON.writeValueAsString(
                EventEnvelope.of("sessions.revoked", me.userId(),
                        Map.of("sessionIds", List.of(me.record().sessionId()), "tokenHashes", List.of(hash),
                                "reason", "signed-out"))));
        Short code = s.closed().get(1, TimeUnit.SECONDS);
        assertEquals((short) 1008, code);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1000);
    }

    @Test
    void aSessionThatVanishesWithoutAnnouncementIsClosedByTheSweep() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        TestSessions.Minted stays = TestSessions.mint(sessions, "user");
        Socket s = connect(me);
        Socket kept = connect(stays);
        sessions.delete(me.userId(), SessionTokens.hash(me.token())).await().atMost(Duration.ofSeconds(2));
        // sweep interval is 1 s in the test profile
        assertEquals((short) 1008, s.closed().get(3, TimeUnit.SECONDS));
        Thread.sleep(1500);
        assertTrue(!kept.closed().isDone(), "a live session's socket stays open through sweeps");
        kept.ws().close();
    }

    @Test
    void aPageCanAuthenticateWithItsFirstMessage() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        Socket s = connect(options());
        s.ws().writeTextMessage(new JsonObject().put("type", "auth").put("token", me.token()).encode());
        JsonObject ready = s.nextOfType("ready", 2000);
        assertNotNull(ready);
        assertEquals(me.userId(), ready.getString("userId"));
        Events.xadd(redis, Events.account(me.userId(), "password_changed"));
        JsonObject m = s.nextOfType("notification", 2000);
        assertNotNull(m);
        assertEquals("accounts.password_changed", m.getJsonObject("notification").getString("type"));
        s.ws().close();
    }

    @Test
    void badCredentialsNeverGetASocket() throws Exception {
        // a wrong first message, an unknown token, and silence: all closed with 1008, nothing received
        for (String first : List.of("not json", "{\"type\":\"auth\"}", "{\"type\":\"auth\",\"token\":\"x\"}",
                new JsonObject().put("type", "auth").put("token", SessionTokens.newToken()).encode())) {
            Socket s = connect(options());
            s.ws().writeTextMessage(first);
            assertEquals((short) 1008, s.closed().get(3, TimeUnit.SECONDS), first);
            assertNull(s.nextOfType("ready", 10), first);
        }
        Socket silent = connect(options());
        assertEquals((short) 1008, silent.closed().get(3, TimeUnit.SECONDS), "auth timeout is 1 s in tests");

        Throwable unknown = refused(options().addHeader("Authorization", "Bearer " + SessionTokens.newToken()));
        assertInstanceOf(UpgradeRejectedException.class, unknown);
        assertEquals(401, ((UpgradeRejectedException) unknown).getStatus());
        Throwable basic = refused(options().addHeader("Authorization", "Basic dXNlcjpwYXNz"));
        assertEquals(401, ((UpgradeRejectedException) basic).getStatus());

        // the session cookie from a foreign page is refused (cross-site WebSocket hijacking)
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        Throwable foreign = refused(options().addHeader("Cookie", SessionAuthenticationMechanism.COOKIE + "="
                + me.token()).addHeader("Origin", "https://evil.example"));
        assertEquals(403, ((UpgradeRejectedException) foreign).getStatus());
        Socket sameOrigin = connect(options().addHeader("Cookie", SessionAuthenticationMechanism.COOKIE + "="
                + me.token()).addHeader("Origin", "http://127.0.0.1:" + RestAssured.port));
        assertNotNull(sameOrigin.nextOfType("ready", 2000));
        sameOrigin.ws().close();

        // plain HTTP is told to upgrade
        given().auth().oauth2(me.token()).get("/api/notifications/stream").then().statusCode(426)
                .contentType(org.hamcrest.Matchers.containsString("application/problem+json"))
                .body("type", org.hamcrest.Matchers.equalTo("https://strata.dev/problems/upgrade-required"));
    }

    @Test
    void aUsersNewestSocketsWinBeyondTheCap() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        Socket first = connect(me);
        List<Socket> more = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            more.add(connect(me));
        }
        assertEquals((short) 1008, first.closed().get(2, TimeUnit.SECONDS), "the oldest of six is closed");
        Events.xadd(redis, Events.account(me.userId(), "linked"));
        for (Socket s : more) {
            assertNotNull(s.nextOfType("notification", 2000), "every open socket of the user receives it");
            s.ws().close();
        }
    }
}
