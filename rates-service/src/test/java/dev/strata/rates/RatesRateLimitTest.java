package dev.strata.rates;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StrataServersResource;

/**
 * Every rates endpoint is rate limited, with small limits in this profile so they can be exhausted: the answer past
 * the limit is a 429 problem with Retry-After and RateLimit-* headers, and admitted answers carry the headers too.
 */
@QuarkusTest
@TestProfile(RatesRateLimitTest.SmallLimits.class)
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = FeedServerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RatesRateLimitTest extends RatesTestBase {

    static final int READ = 5;
    static final int HISTORY = 3;
    static final int ADMIN = 4;
    static final int REFRESH = 2;

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "strata.rate-limit.policies.rates-read.limit", Integer.toString(READ),
                    "strata.rate-limit.policies.rates-read.window", "1h",
                    "strata.rate-limit.policies.rates-history.limit", Integer.toString(HISTORY),
                    "strata.rate-limit.policies.rates-history.window", "1h",
                    "strata.rate-limit.policies.rates-admin.limit", Integer.toString(ADMIN),
                    "strata.rate-limit.policies.rates-admin.window", "1h",
                    "strata.rate-limit.policies.rates-refresh.limit", Integer.toString(REFRESH),
                    "strata.rate-limit.policies.rates-refresh.window", "1h");
        }
    }

    @Inject
    SessionStore sessions;

    @BeforeEach
    void freshBuckets() {
        // SCAN, not KEYS: the service's own Redis user may not run KEYS (it blocks the server)
        List<String> buckets = new java.util.ArrayList<>();
        redis.key(String.class).scan(new io.quarkus.redis.datasource.keys.KeyScanArgs().match("ratelimit:rates-*")
                .count(1000)).toIterable().forEach(buckets::add);
        if (!buckets.isEmpty()) {
            redis.key(String.class).del(buckets.toArray(String[]::new));
        }
    }

    @Test
    void readsPastThePerIpLimitAre429ProblemsWithHeaders() {
        refreshNow();
        for (int i = 0; i < READ; i++) {
            given().get("/api/rates/EUR/USD").then().statusCode(200)
                    .body("rate", equalTo("1.151200000000000000"))
                    .header("RateLimit-Limit", Integer.toString(READ))
                    .header("RateLimit-Remaining", Integer.toString(READ - 1 - i));
        }
        Response r = given().get("/api/rates/EUR/USD");
        assertRateLimited(r, READ);

        // one per-IP budget for every cheap read: the list, conversions and ping are spent too
        assertRateLimited(given().get("/api/rates?base=EUR"), READ);
        assertRateLimited(given().contentType(ContentType.JSON)
                .body("{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"1\"}").post("/api/rates/conversions"), READ);
        assertRateLimited(given().get("/api/rates/ping"), READ);

        // history has a budget of its own, and runs out too
        for (int i = 0; i < HISTORY; i++) {
            given().get("/api/rates/EUR/USD/history").then().statusCode(200)
                    .header("RateLimit-Limit", Integer.toString(HISTORY));
        }
        assertRateLimited(given().get("/api/rates/EUR/USD/history"), HISTORY);
    }

    @Test
    void everyEndpointCarriesItsPolicysHeaders() {
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        given().get("/api/rates/ping").then().statusCode(200).header("RateLimit-Limit", Integer.toString(READ));
        given().get("/api/rates/CHF/CHF").then().statusCode(200).header("RateLimit-Limit", Integer.toString(READ));
        given().auth().oauth2(admin.token()).post("/api/rates/refreshes").then().statusCode(200)
                // both policies apply; the headers describe the tighter one
                .header("RateLimit-Limit", Integer.toString(REFRESH))
                .header("RateLimit-Remaining", Integer.toString(REFRESH - 1));
        given().get("/api/rates?base=EUR").then().statusCode(200).header("RateLimit-Limit", Integer.toString(READ));
        given().contentType(ContentType.JSON).body("{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"1\"}")
                .post("/api/rates/conversions").then().statusCode(200)
                .header("RateLimit-Limit", Integer.toString(READ));
        given().get("/api/rates/EUR/USD/history").then().statusCode(200)
                .header("RateLimit-Limit", Integer.toString(HISTORY));
        given().auth().oauth2(admin.token()).contentType(ContentType.JSON).body("{\"rate\":\"1.2\"}")
                .put("/api/rates/EUR/USD").then().statusCode(200).header("RateLimit-Limit", Integer.toString(ADMIN));
    }

    @Test
    void adminWritesAreLimitedPerAccount() throws Exception {
        TestSessions.Minted first = TestSessions.mint(sessions, "admin");
        TestSessions.Minted second = TestSessions.mint(sessions, "admin");
        for (int i = 0; i < ADMIN; i++) {
            given().auth().oauth2(first.token()).contentType(ContentType.JSON).body("{\"rate\":\"1.2\"}")
                    .put("/api/rates/EUR/USD").then().statusCode(200);
        }
        long written = count("SELECT count(*) FROM rates.exchange_rate_history");
        assertRateLimited(given().auth().oauth2(first.token()).contentType(ContentType.JSON)
                .body("{\"rate\":\"1.3\"}").put("/api/rates/EUR/USD"), ADMIN);
        assertEquals(written, count("SELECT count(*) FROM rates.exchange_rate_history"), "a rejected write wrote");
        // another admin (same IP) has a budget of their own
        given().auth().oauth2(second.token()).contentType(ContentType.JSON).body("{\"rate\":\"1.3\"}")
                .put("/api/rates/EUR/USD").then().statusCode(200).body("rate", equalTo("1.300000000000000000"));

        given().auth().oauth2(first.token()).post("/api/rates/refreshes").then().statusCode(429);
        assertEquals(0, FeedServer.get().hits(FeedServer.ECB), "a rejected refresh reached a provider");
    }

    private static void assertRateLimited(Response r, int limit) {
        r.then().statusCode(429).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/rate-limited"))
                .body("status", equalTo(429))
                .header("RateLimit-Limit", Integer.toString(limit))
                .header("RateLimit-Remaining", "0");
        long retryAfter = Long.parseLong(r.header("Retry-After"));
        // one more request is admitted per window/limit: 1 h / 5 = 12 min at most
        assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
        assertTrue(Long.parseLong(r.header("RateLimit-Reset")) >= 1, "RateLimit-Reset " + r.header("RateLimit-Reset"));
    }
}
