package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.strata.auth.service.MfaService;
import dev.strata.auth.service.TotpCodes;
import dev.strata.testing.StrataServersResource;

/**
 * TOTP two-factor end to end. Codes are computed in the test by its own RFC 6238 implementation (javax.crypto.Mac,
 * checked against the RFC's Appendix B vectors), never by the server's code.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TotpTest {

    static final String INVALID_CODE = "https://strata.dev/problems/auth/invalid-code";
    static final String ALREADY_ENABLED = "https://strata.dev/problems/auth/totp-already-enabled";

    @Inject
    RedisDataSource redis;

    // --- an independent RFC 6238 (HMAC-SHA1, dynamic truncation) -----------------------------------------

    static String rfcCode(byte[] secret, long step, int digits) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret, "HmacSHA1"));
        byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
        int o = h[h.length - 1] & 0xf;
        int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
        String s = Integer.toString(bin % (int) Math.pow(10, digits));
        return "0".repeat(digits - s.length()) + s;
    }

    static long nowStep() {
        return Instant.now().getEpochSecond() / 30;
    }

    static String code(byte[] secret, long step) throws Exception {
        return rfcCode(secret, step, 6);
    }

    /** Six digits that are no valid code anywhere near now. */
    static String wrongCode(byte[] secret) throws Exception {
        Set<String> valid = new HashSet<>();
        for (long s = nowStep() - 3; s <= nowStep() + 3; s++) {
            valid.add(code(secret, s));
        }
        for (int i = 0;; i++) {
            String c = String.format("%06d", (i * 7919) % 1_000_000);
            if (!valid.contains(c)) {
                return c;
            }
        }
    }

    @Test
    void theRfc6238TestVectorsHoldForTheTestsAndTheServersImplementation() throws Exception {
        // RFC 6238 Appendix B, SHA-1 rows: seed "12345678901234567890", 8 digits, T0 = 0, X = 30
        byte[] seed = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        Map<Long, String> vectors = Map.of(59L, "94287082", 1111111109L, "07081804", 1111111111L, "14050471",
                1234567890L, "89005924", 2000000000L, "69279037", 20000000000L, "65353130");
        vectors.forEach((time, expected) -> {
            try {
                assertEquals(expected, rfcCode(seed, time / 30, 8), "test implementation at " + time);
                // 6 digits: the same truncated number modulo 10^6
                assertEquals(expected.substring(2), TotpCodes.code(seed, time / 30), "server at " + time);
                assertEquals(time / 30, TotpCodes.matchingStep(seed, expected.substring(2),
                        Instant.ofEpochSecond(time)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        // random secrets agree too, and only the window around now matches
        byte[] secret = TotpCodes.newSecret();
        Instant now = Instant.now();
        long step = now.getEpochSecond() / 30;
        assertEquals(rfcCode(secret, step, 6), TotpCodes.code(secret, step));
        assertEquals(step + 1, TotpCodes.matchingStep(secret, rfcCode(secret, step + 1, 6), now));
        String far = rfcCode(secret, step + 5, 6);
        if (!Set.of(code(secret, step - 1), code(secret, step), code(secret, step + 1)).contains(far)) {
            assertEquals(-1, TotpCodes.matchingStep(secret, far, now));
        }
    }

    // --- helpers driving the API ---------------------------------------------------------------------------

    record Enrolled(Api.Signed signed, byte[] secret, long confirmedStep, List<String> recoveryCodes) {
    }

    static Response enroll(Api.Signed s) {
        return as(s).post("/api/users/me/totp");
    }

    static byte[] secretOf(Response enrolment) {
        return new Base32().decode((String) enrolment.path("secret"));
    }

    static Response confirm(Api.Signed s, String code) {
        return as(s).contentType(ContentType.JSON).body(Map.of("code", code)).post("/api/users/me/totp/confirmation");
    }

    /** A new user with TOTP enabled (confirmed with the code of the current step). */
    static Enrolled enrolledUser() throws Exception {
        Api.Signed s = Api.newUser();
        byte[] secret = secretOf(enroll(s).then().statusCode(201).extract().response());
        long step = nowStep();
        List<String> codes = confirm(s, code(secret, step)).then().statusCode(200).extract().path("recoveryCodes");
        return new Enrolled(s, secret, step, codes);
    }

    static String challenge(Api.Account a) {
        Response r = Api.signInResponse(a.email(), a.password());
        r.then().statusCode(202);
        return r.path("challenge");
    }

    static Response mfa(String challenge, String field, String value) {
        Map<String, String> body = new HashMap<>();
        body.put("challenge", challenge);
        body.put(field, value);
        return Api.from(Api.randomIp()).contentType(ContentType.JSON).body(body).post("/api/sessions/mfa");
    }

    static long liveSessions(String userId) throws Exception {
        return count("select count(*) from auth.sessions where user_id = ?::uuid and revoked_at is null", userId);
    }

    static long events(String type, String userId) throws Exception {
        return count("select count(*) from auth.outbox where type = ? and subject = ?", type, userId);
    }

    // --- tests ---------------------------------------------------------------------------------------------

    @Test
    void enrolConfirmAndSignInWithACodeThatIsAcceptedOnlyOnce() throws Exception {
        Api.Signed s = Api.newUser();
        String userId = s.account().id();
        as(s).get("/api/users/me/totp").then().statusCode(200).body("enabled", equalTo(false))
                .body("recoveryCodesLeft", equalTo(0));

        Response first = enroll(s);
        first.then().statusCode(201).header("Cache-Control", "no-store")
                .body("qrCode", startsWith("data:image/svg+xml;base64,"));
        // re-enrolling before confirmation replaces the pending secret
        Response e = enroll(s);
        e.then().statusCode(201);
        byte[] secret = secretOf(e);
        assertFalse(java.util.Arrays.equals(secretOf(first), secret));
        assertEquals(20, secret.length);
        String uri = e.path("otpauthUri");
        assertTrue(uri.startsWith("otpauth://totp/Strata:"), uri);
        assertTrue(URLDecoder.decode(uri, StandardCharsets.UTF_8).contains(s.account().email()), uri);
        assertTrue(uri.contains("secret=" + e.path("secret")) && uri.contains("issuer=Strata")
                && uri.contains("algorithm=SHA1") && uri.contains("digits=6") && uri.contains("period=30"), uri);
        String svg = new String(Base64.getDecoder().decode(((String) e.path("qrCode")).substring(26)),
                StandardCharsets.UTF_8);
        assertTrue(svg.startsWith("<svg") && svg.contains("<path"), svg);

        // the first pending secret's code no longer confirms
        long step = nowStep();
        String stale = code(secretOf(first), step);
        if (!stale.equals(code(secret, step)) && !stale.equals(code(secret, step - 1))
                && !stale.equals(code(secret, step + 1))) {
            confirm(s, stale).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        }
        // a pending enrolment does not change sign-in
        Api.signInResponse(s.account().email(), Api.PASSWORD).then().statusCode(201);

        List<String> codes = confirm(s, code(secret, step)).then().statusCode(200)
                .header("Cache-Control", "no-store").extract().path("recoveryCodes");
        assertEquals(10, codes.size());
        assertEquals(10, new HashSet<>(codes).size());
        codes.forEach(c -> assertTrue(c.matches("[a-z2-9]{5}-[a-z2-9]{5}"), c));
        as(s).get("/api/users/me/totp").then().statusCode(200).body("enabled", equalTo(true))
                .body("recoveryCodesLeft", equalTo(10));
        assertEquals(1, events("accounts.mfa_enabled", userId));
        // confirmed: a new enrolment is refused and changes nothing
        enroll(s).then().statusCode(409).contentType(containsString("application/problem+json"))
                .body("type", equalTo(ALREADY_ENABLED));
        confirm(s, code(secret, step + 1)).then().statusCode(409);

        // sign-in now stops at the second factor: no token, no cookie, no session
        long before = liveSessions(userId);
        Response r = Api.signInResponse(s.account().email(), Api.PASSWORD);
        r.then().statusCode(202).header("Set-Cookie", nullValue()).body("token", nullValue())
                .body("mfaRequired", equalTo(true)).body("methods", equalTo(List.of("totp", "recovery-code")));
        Instant expires = Instant.parse(r.path("expiresAt"));
        assertTrue(expires.isAfter(Instant.now().plus(Duration.ofMinutes(4)))
                && expires.isBefore(Instant.now().plus(Duration.ofMinutes(6))), expires.toString());
        assertEquals(before, liveSessions(userId));
        String challenge = r.path("challenge");

        // the code that confirmed the enrolment was used: a replay is refused, and so is a wrong one
        mfa(challenge, "code", code(secret, step)).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        mfa(challenge, "code", wrongCode(secret)).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        assertEquals(before, liveSessions(userId));

        // the next step's code signs in, exactly like a password sign-in does
        Response ok = mfa(challenge, "code", code(secret, step + 1));
        ok.then().statusCode(201).body("tokenType", equalTo("Bearer")).body("userId", equalTo(userId))
                .body("sessionId", notNullValue()).body("expiresAt", notNullValue())
                .header("Cache-Control", "no-store");
        assertTrue(ok.headers().getValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("__Host-strata_session=")
                && c.contains(ok.path("token"))), ok.headers().toString());
        given().auth().oauth2((String) ok.path("token")).get("/api/sessions/current").then().statusCode(200)
                .body("userId", equalTo(userId));
        assertEquals(before + 1, liveSessions(userId));

        // the challenge served its sign-in; the same code on a new challenge is a replay
        mfa(challenge, "code", code(secret, step + 1)).then().statusCode(401)
                .body("type", equalTo(MfaService.INVALID_CHALLENGE));
        mfa(challenge(s.account()), "code", code(secret, step + 1)).then().statusCode(422)
                .body("type", equalTo(INVALID_CODE));
        assertEquals(before + 1, liveSessions(userId));
        assertEquals(1, count("select last_used_step from auth.totp where user_id = ?::uuid", userId) - step);
    }

    @Test
    void twoConcurrentSubmissionsOfOneValidCodeSignInExactlyOnce() throws Exception {
        Enrolled u = enrolledUser();
        String userId = u.signed().account().id();
        long before = liveSessions(userId);
        int n = 6;
        List<String> challenges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            challenges.add(challenge(u.signed().account()));
        }
        String code = code(u.secret(), u.confirmedStep() + 1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (String c : challenges) {
                results.add(pool.submit(() -> {
                    start.await();
                    return mfa(c, "code", code).statusCode();
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get());
            }
            assertEquals(1, statuses.stream().filter(st -> st == 201).count(), statuses.toString());
            assertEquals(n - 1, statuses.stream().filter(st -> st == 422).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + 1, liveSessions(userId));
    }

    @Test
    void aRecoveryCodeSignsInOnceAndRegeneratingVoidsTheOldOnes() throws Exception {
        Enrolled u = enrolledUser();
        Api.Account a = u.signed().account();
        String rc = u.recoveryCodes().get(3);
        // case, spaces and the dash do not matter
        mfa(challenge(a), "recoveryCode", " " + rc.toUpperCase().replace("-", " ") + " ").then().statusCode(201)
                .body("userId", equalTo(a.id()));
        mfa(challenge(a), "recoveryCode", rc).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        as(u.signed()).get("/api/users/me/totp").then().body("recoveryCodesLeft", equalTo(9));
        // a recovery code is not a TOTP code and the other way round
        mfa(challenge(a), "recoveryCode", "abcde-fghjk").then().statusCode(422);

        // another user's recovery code is no use here
        Enrolled other = enrolledUser();
        mfa(challenge(a), "recoveryCode", other.recoveryCodes().get(0)).then().statusCode(422);
        as(other.signed()).get("/api/users/me/totp").then().body("recoveryCodesLeft", equalTo(10));

        // new codes for an old one (that one counts as the proof and is spent)
        List<String> fresh = as(u.signed()).contentType(ContentType.JSON)
                .body(Map.of("code", u.recoveryCodes().get(0))).post("/api/users/me/totp/recovery-codes").then()
                .statusCode(200).extract().path("recoveryCodes");
        assertEquals(10, fresh.size());
        assertTrue(fresh.stream().noneMatch(u.recoveryCodes()::contains));
        assertEquals(10, count("select count(*) from auth.totp_recovery_codes where user_id = ?::uuid", a.id()));
        as(u.signed()).get("/api/users/me/totp").then().body("recoveryCodesLeft", equalTo(10));
        mfa(challenge(a), "recoveryCode", u.recoveryCodes().get(1)).then().statusCode(422);
        mfa(challenge(a), "recoveryCode", fresh.get(1)).then().statusCode(201);
        // wrong code: nothing regenerated
        List<String> hashes = Api.column("select code_hash from auth.totp_recovery_codes where user_id = ?::uuid"
                + " order by code_hash", a.id());
        as(u.signed()).contentType(ContentType.JSON).body(Map.of("code", wrongCode(u.secret())))
                .post("/api/users/me/totp/recovery-codes").then().statusCode(422).body("type", equalTo(INVALID_CODE));
        assertEquals(hashes, Api.column("select code_hash from auth.totp_recovery_codes where user_id = ?::uuid"
                + " order by code_hash", a.id()));
    }

    @Test
    void removalNeedsThePasswordAndACodeAndAWrongOneChangesNothing() throws Exception {
        Enrolled u = enrolledUser();
        Api.Signed s = u.signed();
        String userId = s.account().id();
        String rc = u.recoveryCodes().get(0);
        as(s).contentType(ContentType.JSON).body(Map.of("password", "wrong password!", "code", rc))
                .post("/api/users/me/totp/removal").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem("password"));
        as(s).contentType(ContentType.JSON).body(Map.of("password", Api.PASSWORD, "code", wrongCode(u.secret())))
                .post("/api/users/me/totp/removal").then().statusCode(422).body("type", equalTo(INVALID_CODE));
        as(s).contentType(ContentType.JSON).body(Map.of("password", Api.PASSWORD, "code", "zzzzz-zzzzz"))
                .post("/api/users/me/totp/removal").then().statusCode(422);
        // the recovery code was not spent by the refused attempts
        as(s).get("/api/users/me/totp").then().body("enabled", equalTo(true)).body("recoveryCodesLeft", equalTo(10));
        challenge(s.account());

        as(s).contentType(ContentType.JSON).body(Map.of("password", Api.PASSWORD,
                "code", code(u.secret(), u.confirmedStep() + 1))).post("/api/users/me/totp/removal").then()
                .statusCode(204);
        as(s).get("/api/users/me/totp").then().body("enabled", equalTo(false)).body("recoveryCodesLeft", equalTo(0));
        assertEquals(0, count("select count(*) from auth.totp where user_id = ?::uuid", userId));
        assertEquals(0, count("select count(*) from auth.totp_recovery_codes where user_id = ?::uuid", userId));
        assertEquals(1, events("accounts.mfa_disabled", userId));
        Api.signInResponse(s.account().email(), Api.PASSWORD).then().statusCode(201);
        // nothing to remove any more
        as(s).contentType(ContentType.JSON).body(Map.of("password", Api.PASSWORD, "code", rc))
                .post("/api/users/me/totp/removal").then().statusCode(409);
        as(s).contentType(ContentType.JSON).body(Map.of("code", rc)).post("/api/users/me/totp/recovery-codes").then()
                .statusCode(409);
    }

    @Test
    void badInputIsRefusedAndWritesNothing() throws Exception {
        Api.Signed s = Api.newUser();
        String userId = s.account().id();
        // no pending enrolment
        confirm(s, "123456").then().statusCode(409).contentType(containsString("application/problem+json"));
        byte[] secret = secretOf(enroll(s).then().statusCode(201).extract().response());
        confirm(s, wrongCode(secret)).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        Map<String, String> bodies = Map.of("{}", "code", "{\"code\":null}", "code", "{\"code\":\"\"}", "code",
                "{\"code\":\"123456\",\"secret\":\"x\"}", "secret", "{\"code\":[1]}", "code");
        bodies.forEach((body, field) -> as(s).contentType(ContentType.JSON).body(body)
                .post("/api/users/me/totp/confirmation").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem(field)));
        as(s).contentType(ContentType.JSON).body("{\"password\":\"" + Api.PASSWORD + "\"}")
                .post("/api/users/me/totp/removal").then().statusCode(400).body("errors.field", hasItem("code"));
        assertEquals(1, count("select count(*) from auth.totp where user_id = ?::uuid and enabled_at is null",
                userId));
        assertEquals(0, count("select count(*) from auth.totp_recovery_codes where user_id = ?::uuid", userId));
        assertEquals(0, events("accounts.mfa_enabled", userId));

        // the second sign-in step: malformed bodies, unknown challenges
        Enrolled u = enrolledUser();
        String c = challenge(u.signed().account());
        Map<String, String> mfaBodies = Map.of(
                "{\"challenge\":\"" + c + "\"}", "oneCode",
                "{\"challenge\":\"" + c + "\",\"code\":\"123456\",\"recoveryCode\":\"abcde-fghjk\"}", "oneCode",
                "{\"challenge\":\"" + c + "\",\"code\":\"12345\"}", "code",
                "{\"code\":\"123456\"}", "challenge",
                "{\"challenge\":\"" + c + "\",\"code\":\"123456\",\"userId\":\"x\"}", "userId");
        mfaBodies.forEach((body, field) -> Api.from(Api.randomIp()).contentType(ContentType.JSON).body(body)
                .post("/api/sessions/mfa").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem(field)));
        mfa("x".repeat(43), "code", "123456").then().statusCode(401).body("type", equalTo(MfaService.INVALID_CHALLENGE));
        mfa("not a challenge", "code", "123456").then().statusCode(401);
        // the malformed ones spent nothing: the challenge still works
        mfa(c, "code", code(u.secret(), u.confirmedStep() + 1)).then().statusCode(201);
    }

    @Test
    void whoMayCallWhat() throws Exception {
        for (String path : List.of("/api/users/me/totp", "/api/users/me/totp/confirmation",
                "/api/users/me/totp/removal", "/api/users/me/totp/recovery-codes")) {
            given().contentType(ContentType.JSON).body("{}").post(path).then().statusCode(401)
                    .contentType(containsString("application/problem+json"));
        }
        given().get("/api/users/me/totp").then().statusCode(401);

        // a stale session must prove the password again before adding a factor
        Api.Signed s = Api.newUser();
        Api.exec("update auth.sessions set reauthenticated_at = now() - interval '6 minutes' where user_id = ?::uuid",
                s.account().id());
        enroll(s).then().statusCode(403)
                .body("type", equalTo("https://strata.dev/problems/auth/reauthentication-required"));
        assertEquals(0, count("select count(*) from auth.totp where user_id = ?::uuid", s.account().id()));

        // everything is the caller's own: another user's pending enrolment or codes are nothing to me
        Api.Signed owner = Api.newUser();
        Api.Signed other = Api.newUser();
        byte[] secret = secretOf(enroll(owner).then().statusCode(201).extract().response());
        confirm(other, code(secret, nowStep())).then().statusCode(409);
        as(other).get("/api/users/me/totp").then().body("enabled", equalTo(false));
        assertEquals(1, count("select count(*) from auth.totp where user_id = ?::uuid and enabled_at is null",
                owner.account().id()));
        // a challenge is bound to its user: another enrolled user's valid code does not redeem it
        Enrolled a = enrolledUser();
        Enrolled b = enrolledUser();
        String bCode = code(b.secret(), b.confirmedStep() + 1);
        if (!bCode.equals(code(a.secret(), nowStep())) && !bCode.equals(code(a.secret(), nowStep() + 1))
                && !bCode.equals(code(a.secret(), nowStep() - 1))) {
            mfa(challenge(a.signed().account()), "code", bCode).then().statusCode(422);
        }
        // a password change voids a pending challenge
        String pending = challenge(a.signed().account());
        Api.exec("update auth.users set password_hash = password_hash || 'x' where id = ?::uuid",
                a.signed().account().id());
        mfa(pending, "code", code(a.secret(), a.confirmedStep() + 1)).then().statusCode(401);
    }

    @Test
    void totpManagementIsRateLimitedPerUser() throws Exception {
        Api.Signed s = Api.newUser();
        byte[] secret = secretOf(enroll(s).then().statusCode(201).extract().response());
        String wrong = wrongCode(secret);
        for (int i = 0; i < 9; i++) {
            confirm(s, wrong).then().statusCode(422).header("RateLimit-Limit", "10");
        }
        confirm(s, code(secret, nowStep())).then().statusCode(429).header("Retry-After", notNullValue())
                .header("RateLimit-Remaining", "0").contentType(containsString("application/problem+json"));
        as(s).get("/api/users/me/totp").then().statusCode(200).body("enabled", equalTo(false));
        // another user is not affected
        Api.Signed other = Api.newUser();
        enroll(other).then().statusCode(201);
    }

    @Test
    void codeGuessesAreRateLimitedPerChallengeAndPerUser() throws Exception {
        Enrolled u = enrolledUser();
        Api.Account a = u.signed().account();
        String wrong = wrongCode(u.secret());
        String good = code(u.secret(), u.confirmedStep() + 1);
        String first = challenge(a);
        for (int i = 0; i < 5; i++) {
            mfa(first, "code", wrong).then().statusCode(422);
        }
        // this challenge is spent, even with the right code
        mfa(first, "code", good).then().statusCode(429).header("Retry-After", notNullValue())
                .contentType(containsString("application/problem+json"));
        String second = challenge(a);
        for (int i = 0; i < 5; i++) {
            mfa(second, "recoveryCode", "aaaaa-aaaaa").then().statusCode(422);
        }
        // ten wrong guesses on the user: a new challenge does not buy new guesses
        mfa(challenge(a), "code", good).then().statusCode(429).header("Retry-After", notNullValue());
        as(u.signed()).get("/api/users/me/totp").then().body("recoveryCodesLeft", equalTo(10));
        // only the session the user signed up with
        assertEquals(1, count("select count(*) from auth.sessions where user_id = ?::uuid", a.id()));
    }

    @Test
    void theSecretRecoveryCodesAndChallengesAreNotStoredInTheClear() throws Exception {
        Enrolled u = enrolledUser();
        String challenge = challenge(u.signed().account());
        String base32 = new Base32().encodeToString(u.secret()).replace("=", "");
        String hex = HexFormat.of().formatHex(u.secret());
        String b64 = Base64.getEncoder().encodeToString(u.secret());

        List<String> rows = new ArrayList<>();
        for (String table : Api.column(
                "select table_name from information_schema.tables where table_schema = 'auth'")) {
            rows.addAll(Api.column("select row_to_json(t)::text from auth.\"" + table + "\" t"));
        }
        StringBuilder redisDump = new StringBuilder();
        for (String key : redis.key().scan(new KeyScanArgs().count(500)).toIterable()) {
            redisDump.append(key).append('=');
            if (redis.key().type(key) == io.quarkus.redis.datasource.keys.RedisValueType.STRING) {
                redisDump.append(redis.value(String.class).get(key));
            }
            redisDump.append('\n');
        }
        String dump = String.join("\n", rows) + "\n" + redisDump;
        // the row is there (encrypted), so the search looks at real data
        String stored = Api.column("select secret_encrypted from auth.totp where user_id = ?::uuid",
                u.signed().account().id()).get(0);
        assertTrue(stored.startsWith("v1:") && dump.contains(stored), stored);
        for (String secretForm : List.of(base32, base32.toLowerCase(), hex, b64)) {
            assertFalse(dump.contains(secretForm), "TOTP secret found at rest");
        }
        for (String rc : u.recoveryCodes()) {
            assertFalse(dump.contains(rc) || dump.contains(rc.replace("-", "")), "recovery code found at rest");
        }
        assertTrue(redisDump.toString().contains(MfaService.PREFIX));
        assertFalse(dump.contains(challenge), "raw challenge found at rest");
        assertNotEquals(-1, dump.indexOf(dev.strata.platform.security.SessionTokens.hash(challenge)));
    }
}
