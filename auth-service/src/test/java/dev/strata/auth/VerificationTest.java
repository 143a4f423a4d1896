package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.auth.service.VerificationService;
import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class VerificationTest {

    @jakarta.inject.Inject
    VerificationService verifications;

    private static final Pattern SMS_CODE = Pattern.compile("code is ([0-9]{6})");

    @BeforeEach
    void smsProviderAnswersOk() {
        AuthTestServers.smsStatus = 200;
    }

    @Test
    void emailCodeArrivesOverSmtpAndVerifiesTheAddressOnce() throws Throwable {
        Api.Signed s = Api.newUser();
        String email = s.account().email();
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202).body("channel", equalTo("email")).body("expiresAt", notNullValue())
                .body("destination", containsString("***@strata.test"));
        String code = Api.mailedCode(email);
        MimeMessage msg = AuthTestServers.mail.getReceivedMessagesForDomain(email)[0];
        assertEquals("Strata verification code", msg.getSubject());
        assertTrue(msg.getFrom()[0].toString().contains("no-reply@strata.dev"));
        // stored hashed, expiring within 10 minutes
        assertEquals(1, count("select count(*) from auth.verifications where identifier = ? and code_hash <> ? "
                + "and expires_at <= now() + interval '10 minutes' and purpose = 'verify-email'", email, code));

        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", code))
                .post("/api/verifications/checks").then().statusCode(204);
        as(s).get("/api/users/me").then().body("emailVerified", equalTo(true));
        // single use: the code row is consumed, so the check itself refuses it (the REST path would stop earlier,
        // at the already-verified guard, and prove nothing about the code)
        assertEquals(1, count("select count(*) from auth.verifications where identifier = ? and consumed_at is not null",
                email));
        assertEquals(VerificationService.Outcome.NO_CODE, io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(
                () -> verifications.check(java.util.UUID.fromString(s.account().id()), "email", email, code)));
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", code))
                .post("/api/verifications/checks").then().statusCode(409);
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(409).body("type", equalTo("https://strata.dev/problems/auth/already-verified"));
    }

    @Test
    void phoneCodeGoesThroughTheSmsProviderAndIsSingleUse() throws Exception {
        Api.Signed s = Api.newUser();
        String phone = "+4915" + (100000000 + (int) (Math.random() * 899999999));
        AuthTestServers.SMS_INBOX.clear();
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone))
                .post("/api/verifications").then().statusCode(202).body("channel", equalTo("phone"));
        String delivered = AuthTestServers.SMS_INBOX.poll(10, TimeUnit.SECONDS);
        assertNotNull(delivered, "the SMS provider got nothing");
        assertTrue(delivered.startsWith("Bearer " + AuthTestServers.SMS_KEY + "\n"), delivered);
        assertTrue(delivered.contains("\"to\":\"" + phone + "\""), delivered);
        Matcher m = SMS_CODE.matcher(delivered);
        assertTrue(m.find(), delivered);
        String code = m.group(1);

        as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone, "code", code))
                .post("/api/verifications/checks").then().statusCode(204);
        as(s).get("/api/users/me").then().body("phone", equalTo(phone)).body("phoneVerified", equalTo(true));
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone, "code", code))
                .post("/api/verifications/checks").then().statusCode(422)
                .body("type", equalTo("https://strata.dev/problems/auth/invalid-code"));
    }

    @Test
    void atMostFiveAttemptsThenTheCodeIsDead() throws Exception {
        Api.Signed s = Api.newUser();
        String email = s.account().email();
        String code = sendEmailCode(s);
        String wrong = code.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", wrong))
                    .post("/api/verifications/checks").then().statusCode(422).body("detail", containsString("wrong"));
        }
        // the right code no longer helps
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", code))
                .post("/api/verifications/checks").then().statusCode(422)
                .body("detail", containsString("Too many"));
        assertEquals(5, count("select attempts from auth.verifications where identifier = ?", email));
        as(s).get("/api/users/me").then().body("emailVerified", equalTo(false));
    }

    /** The test profile allows 8 guesses per address per day (production: 20); a new code does not reset them. */
    @Test
    void aNewCodeDoesNotResetTheDailyGuessBudget() throws Exception {
        Api.Signed s = Api.newUser();
        String email = s.account().email();
        String first = sendEmailCode(s);
        String wrong = first.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", wrong))
                    .post("/api/verifications/checks").then().statusCode(422);
        }
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        waitForMails(email, 2);
        String second = Api.mailedCode(email);
        String wrong2 = second.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 3; i++) {
            as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", wrong2))
                    .post("/api/verifications/checks").then().statusCode(422);
        }
        // eight guesses spent today: even the right, fresh code is refused, and nothing is verified
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", second))
                .post("/api/verifications/checks").then().statusCode(429)
                .header("Retry-After", equalTo("86400"))
                .body("type", equalTo("https://strata.dev/problems/rate-limited"));
        as(s).get("/api/users/me").then().body("emailVerified", equalTo(false));
        assertEquals(8, count("select sum(attempts) from auth.verifications where identifier = ?", email));
    }

    @Test
    void parallelGuessesStillGetFiveAttemptsInAll() throws Exception {
        Api.Signed s = Api.newUser();
        String email = s.account().email();
        String code = sendEmailCode(s);
        String wrong = code.equals("000000") ? "111111" : "000000";
        java.util.List<java.util.concurrent.CompletableFuture<Integer>> guesses = new java.util.ArrayList<>();
        // a thread per guess (the common pool has one thread on two cores): they really overlap
        var pool = java.util.concurrent.Executors.newFixedThreadPool(9);
        var start = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < 9; i++) {
            guesses.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", wrong))
                        .post("/api/verifications/checks").statusCode();
            }, pool));
        }
        start.countDown();
        for (var g : guesses) {
            assertEquals(422, g.get().intValue());
        }
        pool.shutdown();
        assertEquals(5, count("select attempts from auth.verifications where identifier = ?", email));
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", code))
                .post("/api/verifications/checks").then().statusCode(422).body("detail", containsString("Too many"));
    }

    @Test
    void expiredCodesAndSupersededCodesAreRefused() throws Exception {
        Api.Signed s = Api.newUser();
        String email = s.account().email();
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        String first = Api.mailedCode(email);
        Api.exec("update auth.verifications set expires_at = now() - interval '1 second' where identifier = ?", email);
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", first))
                .post("/api/verifications/checks").then().statusCode(422).body("detail", containsString("expired"));

        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        waitForMails(email, 2);
        String second = Api.mailedCode(email);
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        waitForMails(email, 3);
        String third = Api.mailedCode(email);
        if (!second.equals(third)) {
            // a newer code voids the older one
            as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", second))
                    .post("/api/verifications/checks").then().statusCode(422);
        }
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", third))
                .post("/api/verifications/checks").then().statusCode(204);
    }

    @Test
    void sendsArePerIdentifierRateLimited() throws Exception {
        Api.Signed s = Api.newUser();
        for (int i = 0; i < 3; i++) {
            as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                    .statusCode(202);
        }
        long rows = count("select count(*) from auth.verifications where identifier = ?", s.account().email());
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(429).header("Retry-After", notNullValue())
                .body("type", equalTo("https://strata.dev/problems/rate-limited"));
        assertEquals(rows, count("select count(*) from auth.verifications where identifier = ?", s.account().email()));
    }

    /** The test profile caps text messages at 6 per account per day (production: 10), whatever the numbers. */
    @Test
    void oneAccountCannotPumpCodesToManyNumbers() throws Exception {
        Api.Signed s = Api.newUser();
        long base = 100000000L + (long) (Math.random() * 800000000L);
        int inbox = AuthTestServers.SMS_INBOX.size();
        for (int i = 0; i < 6; i++) {
            as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", "+4915" + (base + i)))
                    .post("/api/verifications").then().statusCode(202);
        }
        String seventh = "+4915" + (base + 6);
        String retryAfter = as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", seventh))
                .post("/api/verifications").then().statusCode(429)
                .body("type", equalTo("https://strata.dev/problems/rate-limited")).extract().header("Retry-After");
        // a daily budget: the wait is hours, not the hourly window's minutes
        assertTrue(Long.parseLong(retryAfter) > 3600, retryAfter);
        assertEquals(0, count("select count(*) from auth.verifications where identifier = ?", seventh));
        assertEquals(inbox + 6, AuthTestServers.SMS_INBOX.size());
        // e-mail codes are not text messages: the account can still verify its address
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
    }

    /** A phone number anyone may type in: another user's requests and guesses must not touch my codes. */
    @Test
    void anotherUserCannotVoidOrLockMyPhoneCode() throws Exception {
        Api.Signed owner = Api.newUser();
        Api.Signed other = Api.newUser();
        String phone = "+4917" + (100000000 + (int) (Math.random() * 899999999));
        AuthTestServers.SMS_INBOX.clear();
        as(owner).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone))
                .post("/api/verifications").then().statusCode(202);
        String code = smsCode();
        // the other user asks for codes to the same number until their own limit, then guesses until theirs
        for (int i = 0; i < 3; i++) {
            as(other).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone))
                    .post("/api/verifications").then().statusCode(202);
            smsCode();
        }
        as(other).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone))
                .post("/api/verifications").then().statusCode(429);
        String wrong = code.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 10; i++) {
            int status = as(other).contentType(ContentType.JSON)
                    .body(Map.of("channel", "phone", "phone", phone, "code", i == 0 ? code : wrong))
                    .post("/api/verifications/checks").statusCode();
            // not even the owner's code works for someone else
            assertTrue(status == 422 || status == 429, "status " + status);
        }
        as(other).get("/api/users/me").then().body("phoneVerified", equalTo(false));
        // the owner's code is still live, with its whole guess budget, and still asks nothing of the limiter
        as(owner).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone, "code", code))
                .post("/api/verifications/checks").then().statusCode(204);
        as(owner).get("/api/users/me").then().body("phone", equalTo(phone)).body("phoneVerified", equalTo(true));
    }

    private static String smsCode() throws InterruptedException {
        String delivered = AuthTestServers.SMS_INBOX.poll(10, TimeUnit.SECONDS);
        assertNotNull(delivered, "the SMS provider got nothing");
        Matcher m = SMS_CODE.matcher(delivered);
        assertTrue(m.find(), delivered);
        return m.group(1);
    }

    @Test
    void checksArePerIdentifierRateLimited() throws Exception {
        Api.Signed s = Api.newUser();
        String phone = "+4916" + (100000000 + (int) (Math.random() * 899999999));
        // no code was ever sent: each check is refused, and after ten the limiter steps in
        for (int i = 0; i < 10; i++) {
            as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone, "code", "123456"))
                    .post("/api/verifications/checks").then().statusCode(422);
        }
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone, "code", "123456"))
                .post("/api/verifications/checks").then().statusCode(429);
    }

    @Test
    void badInputIs400NamingTheFieldAndSendsNothing() throws Exception {
        Api.Signed s = Api.newUser();
        long before = count("select count(*) from auth.verifications");
        int inbox = AuthTestServers.SMS_INBOX.size();
        bad(s, Map.of(), "/api/verifications", "channel");
        bad(s, Map.of("channel", "fax"), "/api/verifications", "channel");
        bad(s, Map.of("channel", "phone"), "/api/verifications", "phone");
        bad(s, Map.of("channel", "phone", "phone", "0151 1234"), "/api/verifications", "phone");
        bad(s, Map.of("channel", "email", "code", "12345"), "/api/verifications/checks", "code");
        bad(s, Map.of("channel", "email", "code", "abcdef"), "/api/verifications/checks", "code");
        bad(s, Map.of("channel", "email"), "/api/verifications/checks", "code");
        assertEquals(before, count("select count(*) from auth.verifications"));
        assertEquals(0, Api.mailCount(s.account().email()));
        assertEquals(inbox, AuthTestServers.SMS_INBOX.size());
    }

    @Test
    void anonymousCallersAreRefused() {
        given().contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("channel", "email", "code", "123456"))
                .post("/api/verifications/checks").then().statusCode(401);
    }

    @Test
    void aFailingSmsProviderIs503() throws Exception {
        Api.Signed s = Api.newUser();
        AuthTestServers.smsStatus = 500;
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", "+4917012345678"))
                .post("/api/verifications").then().statusCode(503)
                .body("type", equalTo("https://strata.dev/problems/dependency-unavailable"));
    }

    /** Asks for an e-mail code and reads it back from the SMTP server. */
    private static String sendEmailCode(Api.Signed s) throws Exception {
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        return Api.mailedCode(s.account().email());
    }

    private static void bad(Api.Signed s, Map<String, Object> body, String path, String field) {
        as(s).contentType(ContentType.JSON).body(new HashMap<>(body)).post(path).then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem(field));
    }

    private static void waitForMails(String email, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Api.mailCount(email) < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
