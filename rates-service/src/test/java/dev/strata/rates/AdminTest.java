package dev.strata.rates;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.platform.security.SessionStore;
import dev.strata.rates.service.RefreshService;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

/** Overrides and forced refreshes: admin only, validated, audited in history. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = FeedServerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AdminTest extends RatesTestBase {

    @Inject
    SessionStore sessions;

    private static final String OVERRIDE = "{\"rate\":\"1.2\",\"validForSeconds\":3600}";

    @Test
    void overrideNeedsASessionAndTheAdminRole() throws Exception {
        given().contentType(ContentType.JSON).body(OVERRIDE).put("/api/rates/EUR/USD").then().statusCode(401)
                .contentType("application/problem+json");
        String user = TestSessions.mint(sessions, "user").token();
        given().auth().oauth2(user).contentType(ContentType.JSON).body(OVERRIDE).put("/api/rates/EUR/USD").then()
                .statusCode(403).contentType("application/problem+json");
        assertNothingWritten();
    }

    @Test
    void forcedRefreshNeedsASessionAndTheAdminRole() throws Exception {
        given().post("/api/rates/refreshes").then().statusCode(401);
        String reviewer = TestSessions.mint(sessions, "user", "reviewer").token();
        given().auth().oauth2(reviewer).post("/api/rates/refreshes").then().statusCode(403);
        assertEquals(0, FeedServer.get().hits(FeedServer.ECB));
        assertNothingWritten();
    }

    @Test
    void anOverrideWinsOverProvidersUntilItExpiresAndIsAudited() throws Exception {
        refreshNow();
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        given().get("/api/rates/EUR/USD").then().statusCode(200).body("provider", equalTo("ecb")); // now cached
        given().auth().oauth2(admin.token()).contentType(ContentType.JSON).body(OVERRIDE)
                .put("/api/rates/EUR/USD").then().statusCode(200)
                .body("rate", equalTo("1.200000000000000000")).body("provider", equalTo("manual"))
                .body("stale", equalTo(false));
        // the cache was dropped: readers see the override at once
        given().get("/api/rates/EUR/USD").then().statusCode(200).body("provider", equalTo("manual"))
                .body("rate", equalTo("1.200000000000000000"));
        assertEquals(1, count("SELECT count(*) FROM rates.exchange_rate_history WHERE base = 'EUR' AND quote = 'USD'"
                + " AND provider = 'manual' AND trigger = 'manual' AND rate = 1.2 AND actor = '"
                + admin.record().userId() + "'"));

        // a provider refresh leaves the override in place but updates the rest
        refreshNow();
        given().get("/api/rates/EUR/USD").then().statusCode(200).body("provider", equalTo("manual"));
        given().get("/api/rates/EUR/GBP").then().statusCode(200).body("provider", equalTo("ecb"));

        // once expired, provider data replaces it again
        exec("UPDATE rates.exchange_rates SET expires_at = now() - interval '1 second'"
                + " WHERE base = 'EUR' AND quote = 'USD'");
        refreshNow();
        given().get("/api/rates/EUR/USD").then().statusCode(200).body("provider", equalTo("ecb"))
                .body("rate", equalTo("1.151200000000000000"));
    }

    @Test
    void badOverridesAre400Or404AndWriteNothing() throws Exception {
        String admin = TestSessions.mint(sessions, "admin").token();
        badOverride(admin, "EUR/USD", "{\"rate\":\"-1\"}", 400, "rate");
        badOverride(admin, "EUR/USD", "{\"rate\":\"0\"}", 400, "rate");
        badOverride(admin, "EUR/USD", "{\"rate\":\"abc\"}", 400, "rate");
        badOverride(admin, "EUR/USD", "{}", 400, "rate");
        badOverride(admin, "EUR/USD", "{\"rate\":\"1.1\",\"validForSeconds\":0}", 400, "validForSeconds");
        // found by RatesFuzzTest: a NUL (trimmed away) and strings/fractions coerced into a Long were accepted
        badOverride(admin, "EUR/USD", "{\"rate\":\"1\\u0000\"}", 400, "rate");
        badOverride(admin, "EUR/USD", "{\"rate\":\"\\u00001.5\"}", 400, "rate");
        badOverride(admin, "EUR/USD", "{\"rate\":\"1.1\",\"validForSeconds\":\"\\u0000\"}", 400, "validForSeconds");
        badOverride(admin, "EUR/USD", "{\"rate\":\"1.1\",\"validForSeconds\":\"\"}", 400, "validForSeconds");
        badOverride(admin, "EUR/USD", "{\"rate\":\"1.1\",\"validForSeconds\":\"60\"}", 400, "validForSeconds");
        badOverride(admin, "EUR/USD", "{\"rate\":\"1.1\",\"validForSeconds\":1.5}", 400, "validForSeconds");
        badOverride(admin, "EUR/USD", "{\"rate\":\"1.1\",\"validForSeconds\":99999999999999999999}", 400,
                "validForSeconds");
        badOverride(admin, "EUR/USD", "{\"rate\":\"1.1\",\"rate\":\"1.2\"}", 400, null);
        badOverride(admin, "EUR/EUR", "{\"rate\":\"1.1\"}", 400, "quote");
        badOverride(admin, "EU/USD", "{\"rate\":\"1.1\"}", 400, "base");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"rate\":\"1.1\"}")
                .put("/api/rates/EUR/XXX").then().statusCode(404).contentType("application/problem+json");
        assertNothingWritten();
    }

    @Test
    void aForcedRefreshIsAuditedWithTheAdmin() throws Exception {
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        given().auth().oauth2(admin.token()).post("/api/rates/refreshes").then().statusCode(200)
                .body("ran", equalTo(true)).body("written", equalTo(RefreshTest.PAIRS))
                .body("providers.status", hasItem("ok"));
        assertEquals(RefreshTest.PAIRS, count("SELECT count(*) FROM rates.exchange_rate_history WHERE trigger = 'manual'"
                + " AND actor = '" + admin.record().userId() + "'"));
        assertEquals(1, FeedServer.get().hits(FeedServer.ECB));
    }

    @Test
    void aForcedRefreshWhileAnotherRunsIs409() {
        String admin = TestSessions.mint(sessions, "admin").token();
        redis.value(String.class).psetex(RefreshService.LOCK, Duration.ofSeconds(30).toMillis(), "another-replica");
        given().auth().oauth2(admin).post("/api/rates/refreshes").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo(RefreshService.REFRESH_IN_PROGRESS));
        assertEquals(0, FeedServer.get().hits(FeedServer.ECB));
        assertEquals("another-replica", redis.value(String.class).get(RefreshService.LOCK), "not ours to release");
    }

    private void badOverride(String token, String pair, String body, int status, String field) {
        var r = given().auth().oauth2(token).contentType(ContentType.JSON).body(body).put("/api/rates/" + pair).then()
                .statusCode(status).contentType("application/problem+json");
        if (field != null) {
            r.body("errors.field", hasItem(field));
        }
    }

    private void assertNothingWritten() throws Exception {
        assertEquals(0, count("SELECT count(*) FROM rates.exchange_rates"));
        assertEquals(0, count("SELECT count(*) FROM rates.exchange_rate_history"));
    }
}
