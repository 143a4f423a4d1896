package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.strata.auth.service.WalletService;
import dev.strata.testing.StrataServersResource;

/** Wallet linking end to end: real key pairs sign the server's challenges as a wallet's personal_sign would. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class WalletTest {

    static final String SETTINGS = "test-settings-internal-token";

    @Inject
    RedisDataSource redis;

    record Key(ECKeyPair pair, String address) {
        static Key create() throws Exception {
            ECKeyPair p = Keys.createEcKeyPair();
            return new Key(p, "0x" + Keys.getAddress(p));
        }

        /** The EIP-55 mixed-case form a wallet shows. */
        String checksummed() {
            return Keys.toChecksumAddress(address);
        }

        String sign(String message) {
            Sign.SignatureData d = Sign.signPrefixedMessage(message.getBytes(StandardCharsets.UTF_8), pair);
            HexFormat hex = HexFormat.of();
            return "0x" + hex.formatHex(d.getR()) + hex.formatHex(d.getS()) + hex.formatHex(d.getV());
        }
    }

    static Response challenge(Api.Signed s, String address) {
        return as(s).contentType(ContentType.JSON).body(Map.of("address", address))
                .post("/api/users/me/wallets/challenge");
    }

    static String message(Api.Signed s, String address) {
        return challenge(s, address).then().statusCode(200).extract().path("message");
    }

    static Response link(Api.Signed s, String address, String signature) {
        return as(s).contentType(ContentType.JSON).body(Map.of("address", address, "signature", signature))
                .post("/api/users/me/wallets");
    }

    static long wallets(String address) throws Exception {
        return count("select count(*) from auth.wallets where address = ?", address);
    }

    static long events(String type, String address) throws Exception {
        return count("select count(*) from auth.outbox where type = ? and payload->'data'->>'address' = ?", type,
                address);
    }

    @Test
    void aSignedChallengeLinksTheWalletWhichTheInternalApiFindsInAnyCase() throws Exception {
        Api.Signed s = Api.newUser();
        Key key = Key.create();
        Response c = challenge(s, key.checksummed());
        c.then().statusCode(200).body("address", equalTo(key.address())).body("expiresAt", notNullValue());
        String message = c.path("message");
        assertTrue(message.contains("Address: " + key.address()), message);
        assertTrue(message.contains("User: " + s.account().id()), message);
        assertTrue(message.matches("(?s).*Nonce: [0-9a-f]{32}\n.*"), message);
        Instant expires = Instant.parse(c.path("expiresAt"));
        assertTrue(expires.isAfter(Instant.now().plus(Duration.ofMinutes(4)))
                && expires.isBefore(Instant.now().plus(Duration.ofMinutes(6))), expires.toString());
        assertTrue(message.contains("Expires at: " + expires), message);
        // each challenge is new
        assertFalse(message.equals(message(s, key.address())));
        message = message(s, key.address());

        String signature = key.sign(message);
        link(s, key.checksummed(), signature).then().statusCode(201)
                .header("Location", containsString("/api/users/me/wallets/" + key.address()))
                .body("address", equalTo(key.address())).body("linkedAt", notNullValue());
        assertEquals(1, count("select count(*) from auth.wallets where address = ? and user_id = ?::uuid",
                key.address(), s.account().id()));
        assertEquals(1, events("accounts.wallet_linked", key.address()));
        as(s).get("/api/users/me/wallets").then().statusCode(200).body("wallets", hasSize(1))
                .body("wallets[0].address", equalTo(key.address()));

        for (String form : new String[] {key.address(), key.checksummed(), key.address().toUpperCase().replace("0X",
                "0x")}) {
            given().auth().oauth2(SETTINGS).get("/internal/users/by-wallet/" + form).then().statusCode(200)
                    .body("userId", equalTo(s.account().id())).body("address", equalTo(key.address()));
        }

        // the challenge was used: the same signature again is refused, and changes nothing
        link(s, key.address(), signature).then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem("signature"));
        // proving it again is fine and idempotent
        link(s, key.address(), key.sign(message(s, key.address()))).then().statusCode(200)
                .body("address", equalTo(key.address()));
        assertEquals(1, wallets(key.address()));
        assertEquals(1, events("accounts.wallet_linked", key.address()));
    }

    @Test
    void anotherUserCannotTakeALinkedAddressNorRemoveIt() throws Exception {
        Api.Signed owner = Api.newUser();
        Api.Signed other = Api.newUser();
        Key key = Key.create();
        link(owner, key.address(), key.sign(message(owner, key.address()))).then().statusCode(201);

        // even with the key (say it was shared): one address, one user
        link(other, key.address(), key.sign(message(other, key.address()))).then().statusCode(409)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo(WalletService.WALLET_TAKEN));
        assertEquals(1, count("select count(*) from auth.wallets where address = ? and user_id = ?::uuid",
                key.address(), owner.account().id()));
        as(other).get("/api/users/me/wallets").then().statusCode(200).body("wallets", hasSize(0));

        as(other).delete("/api/users/me/wallets/" + key.address()).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        as(other).delete("/api/users/me/wallets/0x" + "ab".repeat(20)).then().statusCode(404);
        as(owner).delete("/api/users/me/wallets/not-an-address").then().statusCode(400)
                .body("errors.field", hasItem("address"));
        assertEquals(1, wallets(key.address()));

        as(owner).delete("/api/users/me/wallets/" + key.checksummed()).then().statusCode(204);
        assertEquals(0, wallets(key.address()));
        assertEquals(1, events("accounts.wallet_unlinked", key.address()));
        given().auth().oauth2(SETTINGS).get("/internal/users/by-wallet/" + key.address()).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        as(owner).delete("/api/users/me/wallets/" + key.address()).then().statusCode(404);

        // free again: the other user may now prove and link it
        link(other, key.address(), key.sign(message(other, key.address()))).then().statusCode(201);
        given().auth().oauth2(SETTINGS).get("/internal/users/by-wallet/" + key.address()).then().statusCode(200)
                .body("userId", equalTo(other.account().id()));
    }

    @Test
    void aSignatureByAnotherKeyStoresNothingAndUsesUpTheChallenge() throws Exception {
        Api.Signed s = Api.newUser();
        Key key = Key.create();
        Key intruder = Key.create();
        String message = message(s, key.address());
        link(s, key.address(), intruder.sign(message)).then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem("signature"));
        assertEquals(0, wallets(key.address()));
        // one attempt per challenge: the right signature now comes too late
        link(s, key.address(), key.sign(message)).then().statusCode(400).body("errors.field", hasItem("signature"));
        assertEquals(0, wallets(key.address()));

        // a challenge is bound to the user: another user's challenge is not this user's
        Api.Signed other = Api.newUser();
        String othersMessage = message(other, key.address());
        link(s, key.address(), key.sign(othersMessage)).then().statusCode(400);
        // a signature that is no signature at all (r = s = 0, v = 27)
        message(s, key.address());
        link(s, key.address(), "0x" + "00".repeat(64) + "1b").then().statusCode(400)
                .body("errors.field", hasItem("signature"));
        assertEquals(0, wallets(key.address()));
        assertEquals(0, events("accounts.wallet_linked", key.address()));
    }

    @Test
    void anExpiredOrNeverIssuedChallengeIsRefused() throws Exception {
        Api.Signed s = Api.newUser();
        Key key = Key.create();
        // never issued
        link(s, key.address(), key.sign("Strata: link this wallet to your account")).then().statusCode(400)
                .body("errors.field", hasItem("signature"));
        // issued, kept with a TTL in auth's own key space, then expired
        String message = message(s, key.address());
        String redisKey = WalletService.CHALLENGE_PREFIX + s.account().id() + ":" + key.address();
        long ttl = redis.key().pttl(redisKey);
        assertTrue(ttl > 240_000 && ttl <= 300_000, "TTL " + ttl);
        redis.key().pexpire(redisKey, 1);
        Thread.sleep(20);
        link(s, key.address(), key.sign(message)).then().statusCode(400).body("errors.field", hasItem("signature"));
        assertEquals(0, wallets(key.address()));
    }

    @Test
    void badBodiesAreRefusedNamingTheFieldAndWriteNothing() throws Exception {
        Api.Signed s = Api.newUser();
        Key key = Key.create();
        String redisKey = WalletService.CHALLENGE_PREFIX + s.account().id() + ":" + key.address();
        Map<String, String> challenges = Map.of(
                "{}", "address",
                "{\"address\":null}", "address",
                "{\"address\":\"0x1234\"}", "address",
                "{\"address\":\"" + key.address().replace("0x", "") + "\"}", "address",
                "{\"address\":\"" + key.address() + "\",\"chainId\":1}", "chainId",
                "{\"address\":12}", "address",
                "{\"address\":[\"" + key.address() + "\"]}", "address");
        challenges.forEach((body, field) -> as(s).contentType(ContentType.JSON).body(body)
                .post("/api/users/me/wallets/challenge").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem(field)));
        assertFalse(redis.key().exists(redisKey));

        String signature = key.sign(message(s, key.address()));
        Map<String, String> links = Map.of(
                "{\"address\":\"" + key.address() + "\"}", "signature",
                "{\"signature\":\"" + signature + "\"}", "address",
                "{\"address\":\"" + key.address() + "\",\"signature\":\"" + signature.substring(0, 100) + "\"}",
                "signature",
                "{\"address\":\"" + key.address() + "\",\"signature\":\"" + signature.substring(2) + "\"}", "signature",
                "{\"address\":\"" + key.address() + "\",\"signature\":\"" + signature + "\",\"userId\":\""
                        + s.account().id() + "\"}", "userId",
                "{\"address\":\"" + key.address() + "\",\"signature\":true}", "signature",
                "{\"address\":\"zz" + key.address().substring(2) + "\",\"signature\":\"" + signature + "\"}",
                "address");
        links.forEach((body, field) -> as(s).contentType(ContentType.JSON).body(body)
                .post("/api/users/me/wallets").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem(field)));
        assertEquals(0, wallets(key.address()));
        // refused bodies never reached the challenge: it is still there and still works
        link(s, key.address(), signature).then().statusCode(201);
    }

    @Test
    void twoUsersProvingOneAddressAtOnceOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                Api.Signed a = Api.newUser();
                Api.Signed b = Api.newUser();
                Key key = Key.create();
                String sa = key.sign(message(a, key.address()));
                String sb = key.sign(message(b, key.address()));
                Future<Integer> fa = pool.submit(() -> link(a, key.address(), sa).statusCode());
                Future<Integer> fb = pool.submit(() -> link(b, key.address(), sb).statusCode());
                List<Integer> codes = new ArrayList<>(List.of(fa.get(), fb.get()));
                Collections.sort(codes);
                assertEquals(List.of(201, 409), codes);
                assertEquals(1, wallets(key.address()));
                assertEquals(1, events("accounts.wallet_linked", key.address()));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void withoutASessionEverythingIs401() {
        String a = "0x" + "12".repeat(20);
        given().contentType(ContentType.JSON).body(Map.of("address", a)).post("/api/users/me/wallets/challenge")
                .then().statusCode(401).contentType(containsString("application/problem+json"));
        given().contentType(ContentType.JSON).body(Map.of("address", a, "signature", "0x" + "11".repeat(65)))
                .post("/api/users/me/wallets").then().statusCode(401);
        given().get("/api/users/me/wallets").then().statusCode(401);
        given().delete("/api/users/me/wallets/" + a).then().statusCode(401);
    }

    @Test
    void challengesAreRateLimitedPerUser() throws Exception {
        Api.Signed s = Api.newUser();
        String a = Key.create().address();
        for (int i = 0; i < 10; i++) {
            challenge(s, a).then().statusCode(200).header("RateLimit-Limit", notNullValue());
        }
        challenge(s, a).then().statusCode(429).header("Retry-After", notNullValue())
                .contentType(containsString("application/problem+json"));
        // another user is not affected
        challenge(Api.newUser(), a).then().statusCode(200);
    }
}
