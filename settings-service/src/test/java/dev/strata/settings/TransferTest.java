package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.settings.service.TransferWatcher;
import dev.strata.testing.Concurrently;

/**
 * The chain indexer's {@code token:<address>:transfers} messages reach the owners of the two wallets (looked up at
 * auth-service), once, however many times (and by however many replicas) the message is heard.
 */
@QuarkusTest
@WithTestResource(value = AuthStandIn.Resource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TransferTest {

    static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    SessionStore sessions;
    @Inject
    RedisDataSource redis;
    @Inject
    TransferWatcher watcher;
    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    double optedOut() {
        var c = meters.find("strata.notifications.deliveries").tags("channel", "push", "type", "transfers.received",
                "outcome", "opted-out").counter();
        return c == null ? 0 : c.count();
    }

    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return "0x" + HexFormat.of().formatHex(b);
    }

    static String transfer(String token, String from, String to, String amount, String tx) {
        return "{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":\"" + amount + "\",\"tokenAddress\":\""
                + token + "\",\"txHash\":\"" + tx + "\"}";
    }

    static Response awaitInbox(TestSessions.Minted who, int n) throws InterruptedException {
        return InboxTest.awaitInbox(who, n);
    }

    @Test
    void senderAndReceiverAreToldOnceAndStrangersNot() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        TestSessions.Minted bob = TestSessions.mint(sessions, "user");
        String aliceWallet = hex(20);
        String bobWallet = hex(20);
        AuthStandIn.wallet(aliceWallet, alice.userId());
        AuthStandIn.wallet(bobWallet, bob.userId());
        String token = hex(20);
        String tx = hex(32);
        // mixed case on the wire, as indexers often send checksummed addresses
        String message = transfer(token.toUpperCase().replace("0X", "0x"), aliceWallet.toUpperCase().replace("0X",
                "0x"), bobWallet, "12.5", tx);
        String channel = "token:" + token + ":transfers";
        // heard three times at once (three replicas, or a repeating indexer): recorded once
        List<java.util.concurrent.Callable<Boolean>> hearings = java.util.Collections.nCopies(3,
                () -> watcher.observe(channel, message).await().atMost(Duration.ofSeconds(5)));
        List<Boolean> recorded = Concurrently.run(hearings);
        assertEquals(1, recorded.stream().filter(b -> b).count(), "exactly one replica records it");
        // and once more through real pub/sub
        redis.pubsub(String.class).publish(channel, message);

        Response a = awaitInbox(alice, 1);
        a.then().body("items", hasSize(1)).body("items[0].type", equalTo("transfers.sent"))
                .body("items[0].category", equalTo("transfers"))
                .body("items[0].data.amount", equalTo("12.5"))
                .body("items[0].data.to", equalTo(bobWallet))
                .body("items[0].data.txHash", equalTo(tx));
        Response b = awaitInbox(bob, 1);
        b.then().body("items", hasSize(1)).body("items[0].type", equalTo("transfers.received"))
                .body("items[0].data.from", equalTo(aliceWallet));
        Thread.sleep(500);
        InboxTest.inbox(alice).then().body("items", hasSize(1));
        InboxTest.inbox(bob).then().body("items", hasSize(1));
    }

    @Test
    void aTransferBetweenUnknownWalletsNotifiesNobodyAndMalformedOnesAreDropped() throws Exception {
        TestSessions.Minted carol = TestSessions.mint(sessions, "user");
        String carolWallet = hex(20);
        AuthStandIn.wallet(carolWallet, carol.userId());
        String token = hex(20);
        String channel = "token:" + token + ":transfers";
        // malformed: each of these is refused before anything is recorded
        for (String bad : List.of("not json", "[]", "{}",
                transfer(token, "0x12", carolWallet, "1", hex(32)),
                transfer(token, hex(20), carolWallet, "-1", hex(32)),
                transfer(token, hex(20), carolWallet, "1e999999999", hex(32)),
                transfer(token, hex(20), carolWallet, "abc", hex(32)),
                transfer(token, hex(20), carolWallet, "1", "0x1234"),
                // the channel names another token than the message
                transfer(hex(20), hex(20), carolWallet, "1", hex(32)))) {
            assertFalse(watcher.observe(channel, bad).await().atMost(Duration.ofSeconds(5)), bad);
        }
        // strangers' wallets: nobody to tell, nothing fails
        assertTrue(watcher.observe(channel, transfer(token, hex(20), hex(20), "3", hex(32)))
                .await().atMost(Duration.ofSeconds(5)));
        // then a real one for carol arrives (proving the consumer got past the earlier ones)
        assertTrue(watcher.observe(channel, transfer(token, hex(20), carolWallet, "7", hex(32)))
                .await().atMost(Duration.ofSeconds(5)));
        awaitInbox(carol, 1).then().body("items", hasSize(1)).body("items[0].type", equalTo("transfers.received"))
                .body("items[0].data.amount", equalTo("7"));
        given().auth().oauth2(carol.token()).get("/api/notifications/unread-count").then().body("unread", equalTo(1));
    }

    @Test
    void aUserWhoTurnedTransfersOffGetsNothing() throws Exception {
        TestSessions.Minted dave = TestSessions.mint(sessions, "user");
        String wallet = hex(20);
        AuthStandIn.wallet(wallet, dave.userId());
        Map<String, Object> on = Map.of("kyc", true, "security", true, "transfers", true, "alerts", true);
        Map<String, Object> off = Map.of("kyc", true, "security", true, "transfers", false, "alerts", true);
        given().auth().oauth2(dave.token()).contentType("application/json")
                .body(Map.of("channels", Map.of("email", off, "push", off, "webhook", on)))
                .put("/api/settings/me/notifications").then().statusCode(200);
        String token = hex(20);
        watcher.observe("token:" + token + ":transfers", transfer(token, hex(20), wallet, "1", hex(32)))
                .await().atMost(Duration.ofSeconds(5));
        // handled and skipped (not stuck, not failed): the opted-out count moves
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (optedOut() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(1.0, optedOut());
        InboxTest.inbox(dave).then().body("items", hasSize(0));
    }
}
