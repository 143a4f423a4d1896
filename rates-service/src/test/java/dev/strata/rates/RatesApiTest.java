package dev.strata.rates;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.rates.FeedServer.Mode;
import dev.strata.rates.repository.RatesRepository;
import dev.strata.testing.StrataServersResource;

/** The public read API: direct, inverse, cross and identity rates, lists, conversions, history and errors. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = FeedServerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RatesApiTest extends RatesTestBase {

    private static final String VALIDATION = "https://strata.dev/problems/validation";

    @Inject
    RatesRepository repository;

    @Inject
    SessionStore sessions;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    static String div(String num, String den) {
        return new BigDecimal(num).divide(new BigDecimal(den), MathContext.DECIMAL128)
                .setScale(18, RoundingMode.HALF_EVEN).toPlainString();
    }

    @Test
    void directRate() {
        refreshNow();
        given().get("/api/rates/EUR/USD").then().statusCode(200)
                .body("base", equalTo("EUR")).body("quote", equalTo("USD"))
                .body("rate", equalTo("1.151200000000000000"))
                .body("kind", equalTo("direct")).body("provider", equalTo("ecb"))
                .body("effectiveAt", equalTo("2025-11-21T15:00:00Z"))
                .body("ageSeconds", greaterThan(0)).body("stale", equalTo(false))
                .body("expiresAt", notNullValue());
        // lower case is accepted and normalised
        given().get("/api/rates/eur/jpy").then().statusCode(200).body("rate", equalTo("180.470000000000000000"));
    }

    @Test
    void inverseRateTo18Decimals() {
        FeedServer.get().mode(FeedServer.ER_API, Mode.DOWN); // only the ECB's EUR-based rates
        refreshNow();
        given().get("/api/rates/USD/EUR").then().statusCode(200)
                .body("rate", equalTo(div("1", "1.1512"))).body("kind", equalTo("inverse"))
                .body("provider", equalTo("ecb"));
        given().get("/api/rates/JPY/EUR").then().statusCode(200).body("rate", equalTo(div("1", "180.47")));
    }

    @Test
    void crossRatesThroughThePivotsTo18Decimals() {
        refreshNow();
        given().get("/api/rates/GBP/JPY").then().statusCode(200)
                .body("rate", equalTo(div("180.47", "0.87735"))).body("kind", equalTo("cross"))
                .body("via", equalTo("EUR")).body("provider", equalTo("ecb"));
        // KWD is only known against USD: crossed through the second pivot
        given().get("/api/rates/KWD/JPY").then().statusCode(200)
                .body("rate", equalTo(div("156.789412", "0.306825"))).body("via", equalTo("USD"))
                .body("provider", equalTo("er-api"));
        // GBP->KWD via USD = (USD->KWD) / (USD->GBP)
        given().get("/api/rates/GBP/KWD").then().statusCode(200)
                .body("rate", equalTo(div("0.306825", "0.762154")));
        // EUR->KWD through USD: the stored USD/EUR row is preferred to inverting EUR/USD
        given().get("/api/rates/EUR/KWD").then().statusCode(200)
                .body("rate", equalTo(div("0.306825", "0.868611"))).body("provider", equalTo("er-api"));
        // SEK is only quoted against EUR and KWD only against USD: through both pivots, one division
        given().get("/api/rates/SEK/KWD").then().statusCode(200).body("kind", equalTo("cross"))
                .body("via", equalTo("EUR,USD")).body("provider", equalTo("ecb+er-api"))
                .body("rate", equalTo(new BigDecimal("1.1512").multiply(new BigDecimal("0.306825"))
                        .divide(new BigDecimal("10.9860"), MathContext.DECIMAL128)
                        .setScale(18, RoundingMode.HALF_EVEN).toPlainString()));
    }

    @Test
    void sameCurrencyIsOne() {
        given().get("/api/rates/CHF/CHF").then().statusCode(200)
                .body("rate", equalTo("1.000000000000000000")).body("kind", equalTo("identity"))
                .body("stale", equalTo(false));
    }

    @Test
    void allRatesOfABase() {
        refreshNow();
        given().get("/api/rates?base=EUR").then().statusCode(200)
                .body("base", equalTo("EUR")).body("count", equalTo(36)) // 30 ECB quotes + 6 more from er-api
                .body("rates.quote", hasItem("USD")).body("rates.quote", hasItem("KWD"))
                .body("rates.find { it.quote == 'GBP' }.rate", equalTo("0.877350000000000000"));
        given().get("/api/rates?base=E1R").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("base"));
        given().get("/api/rates?base=XXX").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void conversionsRoundToTheQuoteMinorUnitsHalfEven() {
        refreshNow();
        // JPY has no minor units: 50 x 180.47 = 9023.5 -> 9024, 150 x 180.47 = 27070.5 -> 27070 (to even)
        convert("EUR", "JPY", "50").body("converted", equalTo("9024")).body("quoteMinorUnits", equalTo(0));
        convert("EUR", "JPY", "150").body("converted", equalTo("27070"));
        convert("EUR", "JPY", "100.50").body("converted", equalTo("18137"))
                .body("rate.rate", equalTo("180.470000000000000000"))
                .body("rate.effectiveAt", equalTo("2025-11-21T15:00:00Z")).body("amount", equalTo("100.50"));
        // KWD has three: 100 x 0.306825 = 30.6825 -> 30.682, 300 x 0.306825 = 92.0475 -> 92.048
        convert("USD", "KWD", "100").body("converted", equalTo("30.682")).body("quoteMinorUnits", equalTo(3));
        convert("USD", "KWD", "300").body("converted", equalTo("92.048"));
        // two decimals
        convert("EUR", "USD", "10.005").body("converted", equalTo("11.52"));
        convert("GBP", "GBP", "0.125").body("converted", equalTo("0.12"));
    }

    @Test
    void conversionBadInputIs400NamingTheField() {
        refreshNow();
        badConversion("{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"abc\"}", "amount");
        badConversion("{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"-5\"}", "amount");
        badConversion("{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"1e5\"}", "amount");
        badConversion("{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"1\\u0000\"}", "amount");
        badConversion("{\"from\":\"EUR\",\"amount\":\"1\"}", "to");
        badConversion("{\"from\":\"EU\",\"to\":\"USD\",\"amount\":\"1\"}", "from");
        given().contentType(ContentType.JSON).body("{\"from\":").post("/api/rates/conversions").then()
                .statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"from\":\"XXX\",\"to\":\"USD\",\"amount\":\"1\"}")
                .post("/api/rates/conversions").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/rates/unknown-currency"));
    }

    @Test
    void unknownAndMalformedPairs() {
        refreshNow();
        given().get("/api/rates/XXX/USD").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/rates/unknown-currency"))
                .body("detail", containsString("XXX"));
        given().get("/api/rates/EUR/QQQ").then().statusCode(404).body("detail", containsString("QQQ"));
        given().get("/api/rates/EU1/USD").then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo(VALIDATION)).body("errors[0].field", equalTo("base"));
        given().get("/api/rates/EUR/USDX").then().statusCode(400).body("errors[0].field", equalTo("quote"));
        // a known currency no provider quotes
        given().get("/api/rates/UGX/USD").then().statusCode(404)
                .body("type", equalTo("https://strata.dev/problems/rates/no-rate"));
    }

    @Test
    void providersDownMeansStaleRatesNotErrors() throws Exception {
        refreshNow();
        FeedServer.get().mode(FeedServer.ECB, Mode.DOWN);
        FeedServer.get().mode(FeedServer.ER_API, Mode.TOO_MANY);
        // time passes beyond the rates' validity while the providers stay down
        exec("UPDATE rates.exchange_rates SET expires_at = now() - interval '1 minute'");
        cache.invalidateAll().await().atMost(WAIT);
        assertEquals(0, refreshNow().written());

        for (int i = 0; i < 2; i++) { // from the database, then from the cache
            given().get("/api/rates/EUR/USD").then().statusCode(200)
                    .body("rate", equalTo("1.151200000000000000")).body("stale", equalTo(true));
        }
        given().get("/api/rates/GBP/JPY").then().statusCode(200).body("stale", equalTo(true));
        convert("EUR", "JPY", "50").body("converted", equalTo("9024")).body("rate.stale", equalTo(true));
    }

    @Test
    void aBurstOfColdReadsQueriesTheDatabaseOnce() throws Exception {
        refreshNow();
        cache.invalidateAll().await().atMost(WAIT);
        double before = repository.pairQueryCount();

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/rates/CHF/GBP")).GET()
                .build();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Set<String> bodies = new HashSet<>();
        for (var f : all) {
            assertEquals(200, f.get().statusCode(), f.get().body());
            bodies.add(f.get().body().replaceAll("\"ageSeconds\":\\d+,", ""));
        }
        assertEquals(1, bodies.size(), "every reader saw the same rate");
        assertEquals(1.0, repository.pairQueryCount() - before, "one database query for 200 cold reads");
        assertEquals(true, bodies.iterator().next().contains(div("0.87735", "0.9277")));
    }

    @Test
    void historyOfAPairIsPaged() {
        refreshNow();
        refreshNow();
        String window = "from=2025-11-01T00:00:00Z&to=2025-11-30T00:00:00Z";
        given().get("/api/rates/EUR/USD/history?size=1&" + window).then().statusCode(200)
                .body("total", equalTo(2)).body("items.size()", equalTo(1)).body("page", equalTo(0))
                .body("items[0].rate", equalTo("1.151200000000000000")).body("items[0].provider", equalTo("ecb"))
                .body("items[0].trigger", equalTo("manual"));
        given().get("/api/rates/EUR/USD/history?size=1&page=1&" + window).then().statusCode(200)
                .body("items.size()", equalTo(1));
        given().get("/api/rates/EUR/USD/history?size=1&page=2&" + window).then().statusCode(200)
                .body("items.size()", equalTo(0));
        given().get("/api/rates/EUR/USD/history?from=2025-11-22T00:00:00Z&to=2025-11-30T00:00:00Z").then()
                .statusCode(200).body("total", equalTo(0));
        given().get("/api/rates/EUR/USD/history?" + window).then().statusCode(200).body("total", equalTo(2));
        given().get("/api/rates/EUR/USD/history?size=0").then().statusCode(400).body("errors[0].field", equalTo("size"));
        given().get("/api/rates/EUR/USD/history?from=yesterday").then().statusCode(400)
                .body("errors[0].field", equalTo("from"));
        given().get("/api/rates/EUR/XXX/history").then().statusCode(404);
    }

    @Test
    void historyWindowIsBounded() {
        refreshNow();
        Instant now = Instant.now();
        // the widest window allowed (366 days, ending now) is fine
        given().get("/api/rates/EUR/USD/history?from=" + now.minus(Duration.ofDays(366)) + "&to=" + now).then()
                .statusCode(200);
        badHistory("from=" + now.minus(Duration.ofDays(367)) + "&to=" + now, "from");
        // only `from` given: `to` is now, so a `from` of two years ago spans too much
        badHistory("from=" + now.minus(Duration.ofDays(800)), "from");
        badHistory("from=2025-11-30T00:00:00Z&to=2025-11-01T00:00:00Z", "from");
        badHistory("from=2025-11-01T00:00:00Z&to=2025-11-01T00:00:00Z", "from");
        badHistory("from=1998-12-31T00:00:00Z&to=1999-06-01T00:00:00Z", "from");
        badHistory("to=1999-01-04T00:00:00Z", "to");
        badHistory("to=" + now.plus(Duration.ofDays(1)), "to");
        badHistory("from=" + now.minus(Duration.ofDays(1)) + "&to=" + now.plus(Duration.ofDays(1)), "to");
        // extreme years Instant.parse accepts: refused, never an arithmetic error (500)
        badHistory("to=-1000000000-01-01T00:00:00Z", "to");
        badHistory("to=+1000000000-12-31T23:59:59Z", "to");
        badHistory("from=-1000000000-01-01T00:00:00Z", "from");
        badHistory("from=%00", "from");
        // the first day with data is the earliest allowed `from`; `to` defaults to now, so give one
        given().get("/api/rates/EUR/USD/history?from=1999-01-04T00:00:00Z&to=1999-06-01T00:00:00Z").then()
                .statusCode(200).body("total", equalTo(0));
        given().get("/api/rates/EUR/USD/history?to=1999-01-10T00:00:00Z").then().statusCode(200)
                .body("from", equalTo("1999-01-04T00:00:00Z"));
    }

    @Test
    void historyPagingIsOverflowSafe() {
        refreshNow();
        String window = "from=2025-11-01T00:00:00Z&to=2025-11-30T00:00:00Z&";
        // page x size past 2^31 would wrap into a negative offset
        badHistory(window + "page=2147483647&size=200", "page");
        badHistory(window + "page=21474837&size=100", "page");
        badHistory(window + "page=10737419&size=200", "page");
        badHistory(window + "page=2147483648", "page");
        badHistory(window + "page=99999999999999999999", "page");
        badHistory(window + "page=9223372036854775807", "page");
        badHistory(window + "page=-1", "page");
        badHistory(window + "page=-9223372036854775808", "page");
        badHistory(window + "page=x", "page");
        badHistory(window + "page=1e3", "page");
        badHistory(window + "page=0x10", "page");
        badHistory(window + "page=%00", "page");
        badHistory(window + "size=201", "size");
        badHistory(window + "size=-1", "size");
        badHistory(window + "size=NaN", "size");
        badHistory(window + "size=2147483648", "size");
        badHistory(window + "size=1.5", "size");
        // an empty value counts as not given
        given().get("/api/rates/EUR/USD/history?" + window + "page=&size=").then().statusCode(200)
                .body("page", equalTo(0)).body("size", equalTo(50));
        // the deepest page allowed (page x size = 100000) is an empty page, not an error
        given().get("/api/rates/EUR/USD/history?" + window + "page=500&size=200").then().statusCode(200)
                .body("items.size()", equalTo(0)).body("total", equalTo(1)).body("page", equalTo(500));
        badHistory(window + "page=501&size=200", "page");
    }

    @Test
    void publicHistoryNeverShowsWhoSetARate() throws Exception {
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        String userId = admin.record().userId();
        given().auth().oauth2(admin.token()).post("/api/rates/refreshes").then().statusCode(200);
        given().auth().oauth2(admin.token()).contentType(ContentType.JSON).body("{\"rate\":\"1.2\"}")
                .put("/api/rates/EUR/USD").then().statusCode(200);
        // the audit trail keeps the admin ...
        assertEquals(2, count("SELECT count(*) FROM rates.exchange_rate_history WHERE base = 'EUR' AND quote = 'USD'"
                + " AND actor = '" + userId + "'"));
        // ... the public history does not, whoever asks: neither the override (effective now) nor the refresh
        // (the fixtures' 2025-11-21 publication; two windows, since both do not fit in one)
        String[] windows = {"from=" + Instant.now().minus(Duration.ofDays(1)),
            "from=2025-11-01T00:00:00Z&to=2025-11-30T00:00:00Z"};
        String[] providers = {"manual", "ecb"};
        for (String token : new String[] {null, admin.token()}) {
            for (int i = 0; i < windows.length; i++) {
                var req = given();
                if (token != null) {
                    req.auth().oauth2(token);
                }
                String body = req.get("/api/rates/EUR/USD/history?" + windows[i]).then().statusCode(200)
                        .body("total", equalTo(1)).body("items[0].provider", equalTo(providers[i]))
                        .body("items[0].trigger", equalTo("manual"))
                        .extract().asString();
                assertFalse(body.contains(userId), body);
                assertFalse(body.contains("\"actor\""), body);
            }
        }
    }

    private void badHistory(String query, String field) {
        given().get("/api/rates/EUR/USD/history?" + query).then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo(VALIDATION))
                .body("errors[0].field", equalTo(field));
    }

    @Test
    void pingIsPlainText() {
        given().get("/api/rates/ping").then().statusCode(200).contentType(containsString("text/plain"))
                .body(equalTo("pong"));
    }

    private io.restassured.response.ValidatableResponse convert(String from, String to, String amount) {
        return given().contentType(ContentType.JSON)
                .body("{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":\"" + amount + "\"}")
                .post("/api/rates/conversions").then().statusCode(200);
    }

    private void badConversion(String body, String field) {
        given().contentType(ContentType.JSON).body(body).post("/api/rates/conversions").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem(field));
    }
}
