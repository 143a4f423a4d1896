package dev.strata.auth;

import static dev.strata.auth.Api.count;
import static dev.strata.auth.Api.from;
import static dev.strata.auth.Api.randomEmail;
import static dev.strata.auth.Api.randomIp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RateLimitTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void signInIsLimitedPerClientAddress() throws Exception {
        Api.Account a = Api.signUp();
        String ip = randomIp();
        // malformed attempts count too: the limiter runs before anything else. 30 per minute is one more every
        // 2 s, so on a slow machine the burst may earn a few extra: at most one per 2 s elapsed
        long start = System.nanoTime();
        int admitted = 0;
        while (true) {
            io.restassured.response.Response r = from(ip).contentType(ContentType.JSON).body(Map.of("email", "x"))
                    .post("/api/sessions");
            if (r.statusCode() == 429) {
                break;
            }
            assertEquals(400, r.statusCode());
            assertEquals("30", r.header("RateLimit-Limit"));
            admitted++;
            long refills = (System.nanoTime() - start) / 2_000_000_000L;
            org.junit.jupiter.api.Assertions.assertTrue(admitted <= 30 + refills + 1,
                    admitted + " admitted after " + refills * 2 + " s");
        }
        org.junit.jupiter.api.Assertions.assertTrue(admitted >= 30, "only " + admitted + " admitted");
        long sessions = count("select count(*) from auth.sessions where user_id = ?::uuid", a.id());
        from(ip).contentType(ContentType.JSON).body(Map.of("email", a.email(), "password", a.password()))
                .post("/api/sessions").then().statusCode(429).header("Retry-After", notNullValue())
                .header("RateLimit-Remaining", "0")
                .body("type", equalTo("https://strata.dev/problems/rate-limited"));
        assertEquals(sessions, count("select count(*) from auth.sessions where user_id = ?::uuid", a.id()));
        // another address is unaffected
        Api.signInResponse(a.email(), a.password()).then().statusCode(201);
    }

    @Test
    void strangersGuessingWrongCannotLockTheOwnerOut() throws Exception {
        Api.Account a = Api.signUp();
        Api.Account bystander = Api.signUp();
        // the owner signed in from this browser before: it holds the device cookie
        String device = Api.signInResponse(a.email(), a.password()).then().statusCode(201).extract()
                .cookie("__Host-strata_device");
        org.junit.jupiter.api.Assertions.assertNotNull(device, "no device cookie");
        // a botnet: ten wrong passwords from ten addresses spend the account's failure budget (10 in tests)
        for (int i = 0; i < 10; i++) {
            Api.signInResponse(a.email(), "wrong password " + i).then().statusCode(401);
        }
        // an unknown browser waits now, even with the right password; the case of the address does not matter
        Api.signInResponse(a.email().toUpperCase(), a.password()).then().statusCode(429)
                .header("Retry-After", notNullValue());
        long sessions = count("select count(*) from auth.sessions where user_id = ?::uuid", a.id());
        // but the owner's own browser still signs in
        Api.from(Api.randomIp()).cookie("__Host-strata_device", device).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("email", a.email(), "password", a.password())).post("/api/sessions").then()
                .statusCode(201);
        assertEquals(sessions + 1, count("select count(*) from auth.sessions where user_id = ?::uuid", a.id()));
        // a forged device cookie (another account's, or made up) does not help
        String other = Api.signInResponse(bystander.email(), bystander.password()).then().statusCode(201).extract()
                .cookie("__Host-strata_device");
        for (String fake : new String[] {other, "abc.def", "nonsense"}) {
            Api.from(Api.randomIp()).cookie("__Host-strata_device", fake).contentType(io.restassured.http.ContentType.JSON)
                    .body(java.util.Map.of("email", a.email(), "password", a.password())).post("/api/sessions").then()
                    .statusCode(429);
        }
        String metrics = io.restassured.RestAssured.given().port(management.getPort()).accept("text/plain").get("/q/metrics").asString();
        org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("strata_rate_limit_rejections_total{policy=\"sign-in-account-failures\""),
                "rejections");
    }

    @Test
    void oneSourceGuessingAtOneAccountIsLimited() throws Exception {
        Api.Account a = Api.signUp();
        String device = Api.signInResponse(a.email(), a.password()).then().statusCode(201).extract()
                .cookie("__Host-strata_device");
        String ip = Api.randomIp();
        for (int i = 0; i < 10; i++) {
            Api.from(ip).contentType(io.restassured.http.ContentType.JSON)
                    .body(java.util.Map.of("email", a.email(), "password", "wrong " + i)).post("/api/sessions").then()
                    .statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(401),
                            org.hamcrest.Matchers.is(429)));
        }
        // eleventh try from that source: refused even with the owner's device cookie (that only lifts the
        // account-wide failure budget)
        Api.from(ip).cookie("__Host-strata_device", device).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("email", a.email(), "password", a.password())).post("/api/sessions").then()
                .statusCode(429);
    }

    @Test
    void signUpIsLimitedPerClientAddress() throws Exception {
        String ip = randomIp();
        for (int i = 0; i < 10; i++) {
            from(ip).contentType(ContentType.JSON).body(Map.of("email", "bad")).post("/api/users").then()
                    .statusCode(400);
        }
        String email = randomEmail();
        from(ip).contentType(ContentType.JSON).body(Map.of("email", email, "password", Api.PASSWORD))
                .post("/api/users").then().statusCode(429).header("Retry-After", notNullValue());
        assertEquals(0, count("select count(*) from auth.users where email = ?", email));
    }

    /** Sign-up answers 409 for a taken address; the test profile allows 5 such answers per address and day. */
    @Test
    void enumeratingAccountsThroughSignUpIsCappedPerClientAddress() throws Exception {
        String ip = randomIp();
        for (int i = 0; i < 5; i++) {
            String taken = Api.signUp().email();
            from(ip).contentType(ContentType.JSON).body(Map.of("email", taken, "password", Api.PASSWORD))
                    .post("/api/users").then().statusCode(409);
        }
        String sixth = Api.signUp().email();
        String retryAfter = from(ip).contentType(ContentType.JSON).body(Map.of("email", sixth, "password",
                Api.PASSWORD)).post("/api/users").then().statusCode(429)
                .body("type", org.hamcrest.Matchers.equalTo("https://strata.dev/problems/rate-limited"))
                .extract().header("Retry-After");
        assertTrue(Long.parseLong(retryAfter) > 3600, "a daily budget, not a short pause: " + retryAfter);
        // the same source learns nothing more, not even by trying a new address
        String fresh = randomEmail();
        from(ip).contentType(ContentType.JSON).body(Map.of("email", fresh, "password", Api.PASSWORD))
                .post("/api/users").then().statusCode(429);
        assertEquals(0, count("select count(*) from auth.users where email = ?", fresh));
        // new addresses from elsewhere sign up as usual
        from(randomIp()).contentType(ContentType.JSON).body(Map.of("email", fresh, "password", Api.PASSWORD))
                .post("/api/users").then().statusCode(201);
    }
}
