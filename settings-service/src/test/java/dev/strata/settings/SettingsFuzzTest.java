package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.Fuzz;
import dev.strata.testing.StrataServersResource;

/** Generated malformed requests against every settings endpoint: all 4xx problems, nothing written. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SettingsFuzzTest {

    static final String NUL = Fuzz.NUL;

    @Inject
    SessionStore sessions;
    @Inject
    Pool pool;
    @Inject
    ObjectMapper json;

    static List<Object> list(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    static final Map<String, List<Object>> BAD = Map.of(
            "locale", list("xx-!!", "", 1, true, List.of(), Map.of(), "en" + NUL, "x".repeat(40), "en_US_POSIX!",
                    "und"),
            "timezone", list("Mars/Base", "", "+01:00", "GMT+1 ", 5, Map.of(), "Europe/Berlin" + NUL, "utc"),
            "currency", list("XXX", "eur", "EURO", "", 978, List.of("EUR"), "E" + NUL + "R"),
            "theme", list("blue", "", "DARK", 0, false, "dark" + NUL, Map.of("x", 1)));

    long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }

    @Test
    void athousandMalformedRequestsAreAll4xxAndWriteNothing() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        given().auth().oauth2(me.token()).contentType("application/json").header("If-Match", "\"0\"")
                .body(Map.of("locale", "en", "timezone", "UTC", "currency", "EUR", "theme", "dark"))
                .put("/api/settings/me").then().statusCode(200);
        String snapshot = "select md5(string_agg(row_to_json(s)::text, ',' order by user_id)) from settings.user_settings s";
        String before = pool.query(snapshot).execute().await().atMost(Duration.ofSeconds(5)).iterator().next()
                .getString(0);
        long prefs = count("select count(*) from settings.notification_settings");
        Fuzz fuzz = new Fuzz(20261122L);
        Map<String, Object> valid = new LinkedHashMap<>(Map.of("locale", "de-DE", "timezone", "Europe/Berlin",
                "currency", "CHF", "theme", "light"));
        Map<String, Object> on = Map.of("kyc", true, "security", true, "transfers", true, "alerts", true);
        for (int i = 0; i < 1000; i++) {
            String malformed = fuzz.malformedOrNull();
            String body;
            Response r;
            String target;
            switch (i % 4) {
                case 0 -> {
                    target = "PUT";
                    body = malformed != null ? malformed : json.writeValueAsString(fuzz.mutate(valid, BAD));
                    String ifMatch = fuzz.pick(List.of("\"1\"", "\"1\"", "\"0\"", "W/\"1\"", "1", "*", "\"99999999999999999999\"", ""));
                    r = given().auth().oauth2(me.token()).contentType("application/json")
                            .header("If-Match", ifMatch).body(body).put("/api/settings/me");
                    if (ifMatch.equals("\"1\"") && malformed == null && r.statusCode() == 200) {
                        target += " (accepted a bad body)";
                    }
                }
                case 1 -> {
                    target = "PATCH";
                    Map<String, Object> patch = new LinkedHashMap<>();
                    String field = fuzz.pick(new ArrayList<>(BAD.keySet()));
                    patch.put(field, fuzz.pick(BAD.get(field)));
                    if (fuzz.random().nextBoolean()) {
                        patch.put(fuzz.pick(List.of("colour", "version", "userId", "")), "x");
                    }
                    body = malformed != null ? malformed : json.writeValueAsString(patch);
                    r = given().auth().oauth2(me.token()).contentType(fuzz.pick(List.of("application/merge-patch+json",
                            "application/json"))).body(body).patch("/api/settings/me");
                }
                case 2 -> {
                    target = "PUT notifications";
                    Map<String, Object> channels = new LinkedHashMap<>(Map.of("email", on, "push", on, "webhook", on));
                    switch (fuzz.random().nextInt(5)) {
                        case 0 -> channels.remove(fuzz.pick(List.of("email", "push", "webhook")));
                        case 1 -> channels.put("sms", on);
                        case 2 -> channels.put("push", Map.of("kyc", true));
                        case 3 -> channels.put("email", Map.of("kyc", "yes", "security", true, "transfers", true,
                                "alerts", true));
                        default -> channels.put("webhook", fuzz.pick(Fuzz.BAD_STRINGS));
                    }
                    body = malformed != null ? malformed : json.writeValueAsString(Map.of("channels", channels));
                    r = given().auth().oauth2(me.token()).contentType("application/json").body(body)
                            .put("/api/settings/me/notifications");
                }
                default -> {
                    target = "anonymous / bad token";
                    body = "";
                    r = given().auth().oauth2(fuzz.pick(List.of("x", NUL, "a".repeat(5000), "Bearer")))
                            .get("/api/settings/me");
                }
            }
            fuzz.expectProblem(target, body, r.statusCode(), r.contentType());
        }
        assertTrue(fuzz.sent() >= 1000);
        assertEquals(List.of(), fuzz.failures(), fuzz.failureCount() + " failures");
        assertEquals(before, pool.query(snapshot).execute().await().atMost(Duration.ofSeconds(5)).iterator().next()
                .getString(0), "nothing written");
        assertEquals(prefs, count("select count(*) from settings.notification_settings"));
    }
}
