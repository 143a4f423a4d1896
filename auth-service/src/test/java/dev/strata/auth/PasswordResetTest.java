package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static dev.strata.auth.Api.from;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.Vertx;

import dev.strata.platform.security.SessionTokens;
import dev.strata.platform.security.SessionVerifier;
import dev.strata.testing.Concurrently;
import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class PasswordResetTest {

    static final String INVALID = "https://strata.dev/problems/auth/invalid-reset-token";
    static final Pattern TOKEN = Pattern.compile("/api/password-resets/([A-Za-z0-9_-]{43})");
    static final String NEW_PASSWORD = "a brand new passphrase";

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    ObjectMapper json;
    @Inject
    Vertx vertx;
    @Inject
    SessionVerifier verifier;

    static Response ask(String email) {
        return from(Api.randomIp()).contentType(ContentType.JSON).body(Map.of("email", email))
                .post("/api/password-resets");
    }

    static Response redeem(String token, String password) {
        return from(Api.randomIp()).contentType(ContentType.JSON).body(Map.of("password", password))
                .post("/api/password-resets/" + token);
    }

    static String mailedToken(String email) throws Exception {
        return Api.mailed(email, TOKEN);
    }

    /** Waits until the background lookup has mailed (or decided not to); the mail sink is the only witness. */
    static String resetFor(String email) throws Exception {
        ask(email).then().statusCode(202);
        return mailedToken(email);
    }

    @Test
    void knownAndUnknownAddressesGetTheSameAnswer() throws Exception {
        Api.Account known = Api.signUp();
        String unknown = Api.randomEmail();
        Response a = ask(known.email());
        Response b = ask(unknown);
        assertEquals(202, a.statusCode());
        assertEquals(202, b.statusCode());
        assertEquals("", a.body().asString());
        assertEquals(a.body().asString(), b.body().asString());
        assertEquals(a.contentType(), b.contentType());
        // same headers apart from values that differ per request anyway
        assertEquals(names(a), names(b));
        mailedToken(known.email());
        // the unknown address got nothing and left nothing behind (by then the known one's mail, asked second,
        // is there: the background work of the first request is long done)
        ask(Api.randomEmail()).then().statusCode(202);
        Api.mailed(known.email(), TOKEN);
        assertEquals(0, Api.mailCount(unknown));
        assertEquals(1, count("select count(*) from auth.password_resets r join auth.users u on u.id = r.user_id"
                + " where u.email = ?", known.email()));
    }

    private static List<String> names(Response r) {
        List<String> names = new ArrayList<>();
        r.headers().forEach(h -> names.add(h.getName().toLowerCase()));
        names.sort(null);
        return names;
    }

    @Test
    void aResetSetsThePasswordAndSignsOutEverySessionEverywhere() throws Exception {
        Api.Account acc = Api.signUp();
        Api.Signed one = Api.signIn(acc);
        Api.Signed two = Api.signIn(acc);
        try (OtherService other = new OtherService(redis, json, vertx, verifier)) {
            assertNotNull(other.check(one.token()), "the other service accepts the session");
            assertNotNull(other.cache.get(SessionTokens.hash(one.token())), "and keeps it in its near-cache");

            String token = resetFor(acc.email());
            // only the hash is stored, valid for 30 minutes
            assertEquals(1, count("select count(*) from auth.password_resets where token_hash = ? and used_at is null"
                    + " and expires_at <= now() + interval '30 minutes' and expires_at > now() + interval '29 minutes'",
                    SessionTokens.hash(token)));
            assertEquals(0, count("select count(*) from auth.password_resets where token_hash = ?", token));

            redeem(token, NEW_PASSWORD).then().statusCode(204);
            long took = other.millisUntilRefused(one.token(), id -> true);
            assertTrue(took <= 1000, "the other service refused the old session after " + took + " ms");
        }
        as(one).get("/api/users/me").then().statusCode(401);
        as(two).get("/api/users/me").then().statusCode(401);
        assertEquals(2, count("select count(*) from auth.sessions where user_id = ?::uuid and revoked_at is not null"
                + " and revoke_reason = 'password-reset'", acc.id()));
        assertEquals(1, Api.events("accounts.password_reset", acc.id()));
        assertEquals("2", Api.column("select payload->'data'->>'sessionsRevoked' from auth.outbox where type ="
                + " 'accounts.password_reset' and payload->'data'->>'userId' = ?", acc.id()).get(0));
        Api.signInResponse(acc.email(), Api.PASSWORD).then().statusCode(401);
        Api.signInResponse(acc.email(), NEW_PASSWORD).then().statusCode(201);
    }

    @Test
    void aLinkWorksOnceAndOnlyTheNewestWorks() throws Exception {
        Api.Account acc = Api.signUp();
        String first = resetFor(acc.email());
        ask(acc.email()).then().statusCode(202);
        String second = Api.mailed(acc.email(), Pattern.compile("/api/password-resets/((?!" + first
                + ")[A-Za-z0-9_-]{43})"));
        assertNotEquals(first, second);
        redeem(first, NEW_PASSWORD).then().statusCode(422).body("type", equalTo(INVALID));
        redeem(second, NEW_PASSWORD).then().statusCode(204);
        redeem(second, "yet another passphrase").then().statusCode(422).body("type", equalTo(INVALID));
        Api.signInResponse(acc.email(), NEW_PASSWORD).then().statusCode(201);
    }

    @Test
    void anExpiredOrUnknownTokenIsRefusedAndChangesNothing() throws Exception {
        Api.Account acc = Api.signUp();
        String token = resetFor(acc.email());
        Api.exec("update auth.password_resets set expires_at = now() - interval '1 second' where token_hash = ?",
                SessionTokens.hash(token));
        redeem(token, NEW_PASSWORD).then().statusCode(422).body("type", equalTo(INVALID))
                .body("detail", notNullValue());
        redeem(SessionTokens.newToken(), NEW_PASSWORD).then().statusCode(422).body("type", equalTo(INVALID));
        redeem("not-a-token", NEW_PASSWORD).then().statusCode(422).body("type", equalTo(INVALID));
        Api.signInResponse(acc.email(), Api.PASSWORD).then().statusCode(201);
    }

    @Test
    void badInputIsA400AndWritesNothing() throws Exception {
        from(Api.randomIp()).contentType(ContentType.JSON).body(Map.of()).post("/api/password-resets").then()
                .statusCode(400).body("errors.field", hasItem("email"));
        ask("not an address").then().statusCode(400).body("errors.field", hasItem("email"));
        from(Api.randomIp()).contentType(ContentType.JSON).body("{").post("/api/password-resets").then()
                .statusCode(400);

        Api.Account acc = Api.signUp();
        String token = resetFor(acc.email());
        redeem(token, "short").then().statusCode(400).body("errors.field", hasItem("password"));
        from(Api.randomIp()).contentType(ContentType.JSON).body(Map.of()).post("/api/password-resets/" + token)
                .then().statusCode(400).body("errors.field", hasItem("password"));
        // nothing written: the link is still open and the old password still works
        assertEquals(1, count("select count(*) from auth.password_resets where token_hash = ? and used_at is null",
                SessionTokens.hash(token)));
        Api.signInResponse(acc.email(), Api.PASSWORD).then().statusCode(201);
    }

    @Test
    void requestsAreLimitedPerAddressAlikeForKnownAndUnknownAddresses() throws Exception {
        for (String email : List.of(Api.signUp().email(), Api.randomEmail())) {
            for (int i = 0; i < 3; i++) {
                ask(email).then().statusCode(202).header("RateLimit-Remaining", notNullValue());
            }
            ask(email).then().statusCode(429).header("Retry-After", notNullValue())
                    .body("type", equalTo("https://strata.dev/problems/rate-limited"));
        }
    }

    @Test
    void aProviderOnlyUserCanSetAFirstPassword() throws Exception {
        Api.Account acc = Api.signUp();
        Api.exec("update auth.users set password_hash = null where id = ?::uuid", acc.id());
        Api.signInResponse(acc.email(), Api.PASSWORD).then().statusCode(401);
        redeem(resetFor(acc.email()), NEW_PASSWORD).then().statusCode(204);
        Api.signInResponse(acc.email(), NEW_PASSWORD).then().statusCode(201);
    }

    @Test
    void aBannedAccountGetsNoLink() throws Exception {
        Api.Signed root = Api.admin();
        Api.Account banned = Api.signUp();
        as(root).contentType(ContentType.JSON).body(Map.of("reason", "test"))
                .post("/api/admin/users/" + banned.id() + "/ban").then().statusCode(200);
        Api.Account control = Api.signUp();
        ask(banned.email()).then().statusCode(202);
        resetFor(control.email());
        assertEquals(0, Api.mailCount(banned.email()));
        assertEquals(0, count("select count(*) from auth.password_resets where user_id = ?::uuid", banned.id()));
    }

    @Test
    void aPasswordChangeVoidsOpenLinks() throws Exception {
        Api.Signed s = Api.newUser();
        String token = resetFor(s.account().email());
        as(s).contentType(ContentType.JSON).body(Map.of("currentPassword", Api.PASSWORD, "newPassword",
                "changed knowing the old one")).put("/api/users/me/password").then().statusCode(200);
        redeem(token, NEW_PASSWORD).then().statusCode(422).body("type", equalTo(INVALID));
        Api.signInResponse(s.account().email(), "changed knowing the old one").then().statusCode(201);
    }

    /** Two redemptions of one link at once: exactly one sets its password. */
    @Test
    void concurrentRedemptionsOfOneLinkLetExactlyOneWin() throws Exception {
        for (int round = 0; round < 3; round++) {
            Api.Account acc = Api.signUp();
            String token = resetFor(acc.email());
            List<Callable<Integer>> calls = List.of(() -> redeem(token, "first contender pw").statusCode(),
                    () -> redeem(token, "second contender pw").statusCode());
            List<Integer> codes = new ArrayList<>(Concurrently.run(calls));
            codes.sort(null);
            assertEquals(List.of(204, 422), codes, "round " + round);
            int winners = 0;
            for (String pw : List.of("first contender pw", "second contender pw")) {
                winners += Api.signInResponse(acc.email(), pw).statusCode() == 201 ? 1 : 0;
            }
            assertEquals(1, winners, "round " + round);
        }
    }

    @Test
    void aBogusBearerTokenDoesNotChangeTheAnswer() {
        // the endpoints need no session; a stale token in the client must not turn them into 401s
        io.restassured.RestAssured.given().auth().oauth2("bogus").header("X-Forwarded-For", Api.randomIp())
                .contentType(ContentType.JSON).body(Map.of("email", Api.randomEmail()))
                .post("/api/password-resets").then().statusCode(202);
    }
}
