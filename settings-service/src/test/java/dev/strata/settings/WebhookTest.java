package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.Concurrently;
import dev.strata.testing.StrataServersResource;

/**
 * Webhooks end to end against a local receiver (allow-listed as 127.0.0.1:&lt;its port&gt; only) that checks the
 * Standard Webhooks signatures with its own code; real PostgreSQL and Redis.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = WebhookReceiverResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class WebhookTest {

    static WebhookReceiver receiver;
    static int port;

    @Inject
    SessionStore sessions;
    @Inject
    RedisDataSource redis;
    @Inject
    Pool pool;
    @Inject
    dev.strata.settings.service.WebhookDispatcher dispatcher;
    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @BeforeAll
    static void startReceiver() throws Exception {
        String allowed = ConfigProvider.getConfig().getValue("strata.webhooks.allowed-hosts", String.class);
        port = Integer.parseInt(allowed.substring(allowed.lastIndexOf(':') + 1));
        receiver = new WebhookReceiver(port);
    }

    @AfterAll
    static void stopReceiver() {
        if (receiver != null) {
            receiver.stop();
        }
    }

    static RequestSpecification as(TestSessions.Minted who) {
        return given().auth().oauth2(who.token());
    }

    /** Registers {@code /hooks/<name>} for {@code who}: {@code [id, secret]}. */
    static String[] register(TestSessions.Minted who, String name) {
        Response r = as(who).contentType("application/json")
                .body(Map.of("url", "http://127.0.0.1:" + port + "/hooks/" + name, "description", "test " + name))
                .post("/api/settings/me/webhooks");
        r.then().statusCode(201).body("enabled", equalTo(true)).body("secret", startsWith("whsec_"))
                .body("description", equalTo("test " + name)).header("Location", containsString("/webhooks/"));
        String secret = r.path("secret");
        assertTrue(Base64.getDecoder().decode(secret.substring(6)).length >= 24, "24+ random bytes");
        return new String[] {r.path("id"), secret};
    }

    static List<Map<String, Object>> log(TestSessions.Minted who, String webhookId) {
        return as(who).get("/api/settings/me/webhooks/" + webhookId + "/deliveries").then().statusCode(200).extract()
                .jsonPath().getList("items");
    }

    /** Polls the delivery log until its newest entry has {@code status} (bounded). */
    static List<Map<String, Object>> awaitLog(TestSessions.Minted who, String webhookId, String status)
            throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        List<Map<String, Object>> items = log(who, webhookId);
        while ((items.isEmpty() || !status.equals(items.get(0).get("status"))) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            items = log(who, webhookId);
        }
        return items;
    }

    static String hook() {
        return UUID.randomUUID().toString();
    }

    @Test
    void aKycEventIsPostedSignedToItsUsersEndpointOnlyAndA500IsRetried() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        TestSessions.Minted other = TestSessions.mint(sessions, "user");
        String mine = hook();
        String theirs = hook();
        receiver.script(mine, WebhookReceiver.status(500), WebhookReceiver.status(200));
        String[] myHook = register(me, mine);
        String[] theirHook = register(other, theirs);

        EventEnvelope approved = Events.kycDecision(me.userId(), "approved");
        Events.xadd(redis, approved);
        Events.xadd(redis, approved); // an at-least-once redelivery: still one delivery
        List<WebhookReceiver.Received> got = receiver.await(mine, 2, 15_000);
        assertEquals(2, got.size(), "the 500 was retried");
        assertEquals(got.get(0).id(), got.get(1).id(), "same webhook-id on retries");
        for (WebhookReceiver.Received r : got) {
            assertTrue(WebhookReceiver.verifies(r, myHook[1]), "signature verifies: " + r);
            assertEquals("application/json", r.contentType());
            assertEquals("127.0.0.1:" + port, r.host());
            JsonPath body = new JsonPath(r.body());
            assertEquals("kyc.approved", body.getString("type"));
            assertEquals(me.userId(), body.getString("data.userId"));
            assertEquals(approved.occurredAt().toString(), body.getString("timestamp"));
        }
        List<Map<String, Object>> items = awaitLog(me, myHook[0], "succeeded");
        assertEquals(1, items.size(), "one delivery");
        Map<String, Object> d = items.get(0);
        assertEquals("succeeded", d.get("status"));
        assertEquals(2, d.get("attempts"));
        assertEquals(200, d.get("lastStatusCode"));
        assertEquals(got.get(0).id(), d.get("id"));
        assertEquals(approved.id().toString(), d.get("eventId"));
        assertEquals("kyc.approved", d.get("eventType"));
        assertTrue(d.get("deliveredAt") != null && d.get("createdAt") != null);

        // the other user's endpoint got nothing of mine: their own later event is the first thing it sees
        Events.xadd(redis, Events.kycDecision(other.userId(), "rejected"));
        List<WebhookReceiver.Received> theirsGot = receiver.await(theirs, 1, 15_000);
        assertEquals(1, theirsGot.size());
        assertEquals("kyc.rejected", new JsonPath(theirsGot.get(0).body()).getString("type"));
        assertTrue(WebhookReceiver.verifies(theirsGot.get(0), theirHook[1]));
        assertFalse(WebhookReceiver.verifies(theirsGot.get(0), myHook[1]));
        assertEquals(2, receiver.received(mine).size());
    }

    @Test
    void a400FailsAtOnceAnd429IsRetriedAfterItsRetryAfter() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String bad = hook();
        receiver.script(bad, WebhookReceiver.status(400));
        String[] badHook = register(me, bad);
        Events.xadd(redis, Events.kycDecision(me.userId(), "approved"));
        List<Map<String, Object>> items = awaitLog(me, badHook[0], "failed");
        assertEquals("failed", items.get(0).get("status"));
        assertEquals(1, items.get(0).get("attempts"));
        assertEquals(400, items.get(0).get("lastStatusCode"));
        assertNull(items.get(0).get("nextAttemptAt"), "nothing more is scheduled");
        assertEquals(1, receiver.received(bad).size());
        given().auth().oauth2(me.token()).delete("/api/settings/me/webhooks/" + badHook[0]).then().statusCode(204);

        String busy = hook();
        receiver.script(busy, new WebhookReceiver.Answer(429, Map.of("Retry-After", "1")), WebhookReceiver.status(200));
        String[] busyHook = register(me, busy);
        Events.xadd(redis, Events.kycDecision(me.userId(), "expired"));
        List<WebhookReceiver.Received> got = receiver.await(busy, 2, 15_000);
        assertEquals(2, got.size());
        long gapMs = (got.get(1).atNanos() - got.get(0).atNanos()) / 1_000_000;
        assertTrue(gapMs >= 1000, "Retry-After: 1 honoured, gap " + gapMs + " ms");
        items = awaitLog(me, busyHook[0], "succeeded");
        assertEquals(2, items.get(0).get("attempts"));
    }

    @Test
    void anEndpointThatKeepsFailingIsDisabledAndItsOwnerToldInTheInbox() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String down = hook();
        receiver.script(down, WebhookReceiver.status(503));
        String[] h = register(me, down);
        long start = System.nanoTime();
        Events.xadd(redis, Events.kycDecision(me.userId(), "approved"));
        long deadline = System.nanoTime() + 20_000_000_000L;
        Response w = as(me).get("/api/settings/me/webhooks/" + h[0]);
        while (w.<Boolean>path("enabled") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            w = as(me).get("/api/settings/me/webhooks/" + h[0]);
        }
        w.then().statusCode(200).body("enabled", equalTo(false)).body("disabledReason", containsString("failing"));
        assertTrue(System.nanoTime() - start >= 2_000_000_000L, "not before disable-after (2 s)");
        assertTrue(receiver.received(down).size() >= 2, "retried meanwhile");

        Response inbox = InboxTest.awaitInbox(me, 2);
        List<Map<String, Object>> entries = inbox.jsonPath().getList("items");
        Map<String, Object> alert = entries.stream().filter(e -> "alerts.webhook_disabled".equals(e.get("type")))
                .findFirst().orElseThrow(() -> new AssertionError("no alert in " + entries));
        assertEquals("alerts", alert.get("category"));
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) alert.get("data");
        assertEquals(h[0], data.get("webhookId"));
        assertEquals(me.userId(), data.get("userId"));
        assertEquals("http://127.0.0.1:" + port + "/hooks/" + down, data.get("url"));
        List<Map<String, Object>> items = log(me, h[0]);
        assertEquals(1, items.size());
        assertEquals("failed", items.get(0).get("status"));

        // a disabled endpoint gets no new deliveries, and its log entries cannot be redelivered
        int before = receiver.received(down).size();
        Events.xadd(redis, Events.kycDecision(me.userId(), "expired"));
        InboxTest.awaitInbox(me, 3);
        assertEquals(1, log(me, h[0]).size());
        as(me).post("/api/settings/me/webhooks/" + h[0] + "/deliveries/" + items.get(0).get("id") + "/redeliver")
                .then().statusCode(409);
        assertEquals(before, receiver.received(down).size());
    }

    @Test
    void afterARotationBothSecretsSignDuringTheOverlap() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String name = hook();
        String[] h = register(me, name);
        Response rotated = as(me).post("/api/settings/me/webhooks/" + h[0] + "/rotate-secret");
        rotated.then().statusCode(200).body("id", equalTo(h[0])).body("secret", startsWith("whsec_"));
        String newSecret = rotated.path("secret");
        assertNotEquals(h[1], newSecret);
        as(me).get("/api/settings/me/webhooks/" + h[0]).then().statusCode(200).body("$", org.hamcrest.Matchers.not(
                org.hamcrest.Matchers.hasKey("secret")));
        as(me).get("/api/settings/me/webhooks").then().statusCode(200).body("[0]", org.hamcrest.Matchers.not(
                org.hamcrest.Matchers.hasKey("secret")));

        Events.xadd(redis, Events.account(me.userId(), "password_changed"));
        WebhookReceiver.Received r = receiver.await(name, 1, 15_000).get(0);
        String[] sigs = r.signature().split(" ");
        assertEquals(2, sigs.length, r.signature());
        List<String> byNew = WebhookReceiver.validSignatures(r, newSecret);
        List<String> byOld = WebhookReceiver.validSignatures(r, h[1]);
        assertEquals(1, byNew.size());
        assertEquals(1, byOld.size());
        assertNotEquals(byNew.get(0), byOld.get(0));
    }

    @Test
    void aDeliveryCanBeRedeliveredAndOthersCannotSeeIt() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        TestSessions.Minted other = TestSessions.mint(sessions, "user");
        String name = hook();
        String[] h = register(me, name);
        Events.xadd(redis, Events.account(me.userId(), "linked"));
        List<Map<String, Object>> items = awaitLog(me, h[0], "succeeded");
        String delivery = (String) items.get(0).get("id");
        String base = "/api/settings/me/webhooks/" + h[0];

        // someone else: 404 everywhere, never 403
        as(other).get(base).then().statusCode(404);
        as(other).get(base + "/deliveries").then().statusCode(404);
        as(other).post(base + "/deliveries/" + delivery + "/redeliver").then().statusCode(404);
        as(other).post(base + "/rotate-secret").then().statusCode(404);
        as(other).delete(base).then().statusCode(404);
        as(me).post(base + "/deliveries/" + UUID.randomUUID() + "/redeliver").then().statusCode(404);
        as(me).post(base + "/deliveries/nope/redeliver").then().statusCode(400)
                .body("errors[0].field", equalTo("deliveryId"));

        as(me).post(base + "/deliveries/" + delivery + "/redeliver").then().statusCode(202);
        List<WebhookReceiver.Received> got = receiver.await(name, 2, 15_000);
        assertEquals(2, got.size());
        assertEquals(delivery, got.get(1).id(), "same webhook-id");
        assertTrue(WebhookReceiver.verifies(got.get(1), h[1]));
        items = awaitLog(me, h[0], "succeeded");
        assertEquals(1, items.size());
        assertEquals(1, items.get(0).get("attempts"), "a new attempt cycle");

        // paging of the log
        Events.xadd(redis, Events.account(me.userId(), "unlinked"));
        Events.xadd(redis, Events.account(me.userId(), "sessions_revoked"));
        receiver.await(name, 4, 15_000);
        Response first = as(me).get(base + "/deliveries?limit=2");
        first.then().statusCode(200).body("items", hasSize(2));
        Response second = as(me).queryParam("cursor", (String) first.path("nextCursor")).get(base + "/deliveries?limit=2");
        second.then().statusCode(200).body("items", hasSize(1)).body("nextCursor", org.hamcrest.Matchers.nullValue());
        as(me).get(base + "/deliveries?limit=0").then().statusCode(400);
        as(me).get(base + "/deliveries?cursor=xyz").then().statusCode(400);

        as(me).delete(base).then().statusCode(204);
        as(me).get(base).then().statusCode(404);
        as(me).get(base + "/deliveries").then().statusCode(404);
    }

    @Test
    void internalAddressesAreRefusedAndNothingIsStored() {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        for (String url : List.of("http://127.0.0.1/x", "https://127.0.0.1/x", "https://169.254.169.254/latest",
                "https://10.0.0.1/x", "https://localhost/x", "https://172.16.5.4/", "https://192.168.1.1/",
                "https://100.64.0.1/", "https://0.0.0.0/", "https://[::1]/x", "https://[::ffff:127.0.0.1]/x",
                "https://[::ffff:169.254.169.254]/", "https://[fd00::1]/", "https://[fe80::1]/", "https://224.0.0.1/",
                "http://127.0.0.1:" + (port == 65535 ? 1 : port + 1) + "/")) {
            long t0 = System.nanoTime();
            as(me).contentType("application/json").body(Map.of("url", url)).post("/api/settings/me/webhooks").then()
                    .statusCode(400).contentType(containsString("application/problem+json"))
                    .body("errors[0].field", equalTo("url"));
            System.out.printf("refused %s in %d ms%n", url, (System.nanoTime() - t0) / 1_000_000);
        }
        as(me).get("/api/settings/me/webhooks").then().statusCode(200).body("$", hasSize(0));
        assertEquals(0, endpoints(me.userId()));
    }

    @Test
    void badInputIs400NamingTheFieldAndUnauthenticatedIs401() {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{}", "url");
        cases.put("{\"url\": null}", "url");
        cases.put("{\"url\": \"not a url\"}", "url");
        cases.put("{\"url\": \"example.com/hook\"}", "url");
        cases.put("{\"url\": \"ftp://example.com/hook\"}", "url");
        cases.put("{\"url\": \"http://example.com/hook\"}", "url");
        cases.put("{\"url\": \"https://example.com/" + "a".repeat(2100) + "\"}", "url");
        cases.put("{\"url\": \"https://user:pw@example.com/hook\"}", "url");
        cases.put("{\"url\": \"https://example.com/hook\", \"surprise\": 1}", "surprise");
        cases.put("{\"url\": 42.5e999}", "url");
        cases.put("{\"url\": \"https://example.com/hook\", \"description\": \"" + "d".repeat(300) + "\"}",
                "description");
        cases.forEach((body, field) -> as(me).contentType("application/json").body(body)
                .post("/api/settings/me/webhooks").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors[0].field", equalTo(field)));
        as(me).contentType("application/json").post("/api/settings/me/webhooks").then().statusCode(400);
        as(me).get("/api/settings/me/webhooks").then().statusCode(200).body("$", hasSize(0));
        assertEquals(0, endpoints(me.userId()));

        as(me).get("/api/settings/me/webhooks/not-a-uuid").then().statusCode(400).body("errors[0].field", equalTo("id"));
        as(me).delete("/api/settings/me/webhooks/1-1-1-1-1").then().statusCode(400);
        as(me).get("/api/settings/me/webhooks/" + UUID.randomUUID()).then().statusCode(404);

        String id = UUID.randomUUID().toString();
        given().get("/api/settings/me/webhooks").then().statusCode(401);
        given().contentType("application/json").body("{\"url\":\"https://example.com\"}")
                .post("/api/settings/me/webhooks").then().statusCode(401);
        given().get("/api/settings/me/webhooks/" + id).then().statusCode(401);
        given().delete("/api/settings/me/webhooks/" + id).then().statusCode(401);
        given().post("/api/settings/me/webhooks/" + id + "/rotate-secret").then().statusCode(401);
        given().get("/api/settings/me/webhooks/" + id + "/deliveries").then().statusCode(401);
        given().post("/api/settings/me/webhooks/" + id + "/deliveries/" + id + "/redeliver").then().statusCode(401);
    }

    @Test
    void concurrentRegistrationsStopAtTheLimit() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            String name = hook();
            calls.add(() -> as(me).contentType("application/json")
                    .body(Map.of("url", "http://127.0.0.1:" + port + "/hooks/" + name))
                    .post("/api/settings/me/webhooks").statusCode());
        }
        List<Integer> codes = Concurrently.run(calls);
        assertEquals(10, codes.stream().filter(c -> c == 201).count(), codes.toString());
        assertEquals(4, codes.stream().filter(c -> c == 409).count(), codes.toString());
        as(me).get("/api/settings/me/webhooks").then().statusCode(200).body("$", hasSize(10));
        as(me).contentType("application/json").body(Map.of("url", "http://127.0.0.1:" + port + "/hooks/one-more"))
                .post("/api/settings/me/webhooks").then().statusCode(409)
                .body("type", equalTo("https://strata.dev/problems/webhooks/limit-reached"));
    }

    @Test
    void replicasRacingForDueDeliveriesSendEachExactlyOnce() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String name = hook();
        String[] h = register(me, name);
        int n = 60;
        // 60 due deliveries at once, then four extra "replicas" claim rounds concurrently with the worker
        pool.preparedQuery("insert into settings.webhook_deliveries (id, endpoint_id, user_id, event_id, event_type,"
                + " payload, next_attempt_at) select gen_random_uuid(), $1, $2, gen_random_uuid(), 'alerts.test',"
                + " jsonb_build_object('type', 'alerts.test', 'timestamp', now()::text, 'data', jsonb_build_object('i', i)),"
                + " now() from generate_series(1, $3) i")
                .execute(Tuple.of(UUID.fromString(h[0]), UUID.fromString(me.userId()), n))
                .await().atMost(Duration.ofSeconds(10));
        List<Callable<Integer>> rounds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rounds.add(() -> dispatcher.round().await().atMost(Duration.ofSeconds(30)));
        }
        List<Integer> claimed = Concurrently.run(rounds);
        System.out.println("concurrent rounds claimed " + claimed + " of " + n);
        List<WebhookReceiver.Received> got = receiver.await(name, n, 20_000);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (succeeded(h[0]) < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(n, succeeded(h[0]));
        got = receiver.received(name);
        assertEquals(n, got.size(), "each delivery sent once; the rounds claimed " + claimed);
        assertEquals(n, got.stream().map(WebhookReceiver.Received::id).distinct().count());
        assertTrue(got.stream().allMatch(r -> WebhookReceiver.verifies(r, h[1])));
        assertEquals(n, log(me, h[0]).size() + as(me).queryParam("cursor",
                (String) as(me).get("/api/settings/me/webhooks/" + h[0] + "/deliveries?limit=20").path("nextCursor"))
                .get("/api/settings/me/webhooks/" + h[0] + "/deliveries?limit=100").jsonPath().getList("items").size());
    }

    @Test
    void anAddressThatTurnedInternalIsBlockedAtDeliveryTimeWithoutConnecting() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        // as if the name had resolved to a public address at registration and to loopback now (rebinding)
        UUID id = UUID.randomUUID();
        try (java.net.ServerSocket trap = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            trap.setSoTimeout(1);
            pool.preparedQuery("insert into settings.webhook_endpoints (id, user_id, url, secret) values ($1, $2, $3, $4)")
                    .execute(Tuple.of(id, UUID.fromString(me.userId()), "https://localhost:" + trap.getLocalPort() + "/x",
                            "whsec_" + Base64.getEncoder().encodeToString(new byte[32])))
                    .await().atMost(Duration.ofSeconds(5));
            double blockedBefore = blocked();
            Events.xadd(redis, Events.kycDecision(me.userId(), "approved"));
            long deadline = System.nanoTime() + 15_000_000_000L;
            List<Map<String, Object>> items = log(me, id.toString());
            while ((items.isEmpty() || (Integer) items.get(0).get("attempts") < 1) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                items = log(me, id.toString());
            }
            assertTrue(blocked() > blockedBefore, "counted as blocked");
            assertTrue((Integer) items.get(0).get("attempts") >= 1);
            assertNull(items.get(0).get("lastStatusCode"));
            // retried like a network error until the endpoint is disabled (2 s in tests): the error says which
            String error = String.valueOf(items.get(0).get("lastError"));
            assertTrue(error.contains("non-public") || error.equals("endpoint disabled"), items.toString());
            // nothing ever connected to the trap
            assertThrows(java.net.SocketTimeoutException.class, trap::accept);
        } finally {
            as(me).delete("/api/settings/me/webhooks/" + id).then().statusCode(204);
        }
    }

    double blocked() {
        var c = meters.find("strata.webhooks.attempts").tag("outcome", "blocked").counter();
        return c == null ? 0 : c.count();
    }

    long succeeded(String webhookId) {
        return pool.preparedQuery("select count(*) from settings.webhook_deliveries where endpoint_id = $1"
                + " and status = 'succeeded' and attempts = 1").execute(Tuple.of(UUID.fromString(webhookId)))
                .await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }

    long endpoints(String userId) {
        return pool.preparedQuery("select count(*) from settings.webhook_endpoints where user_id = $1::uuid")
                .execute(Tuple.of(userId)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }
}
