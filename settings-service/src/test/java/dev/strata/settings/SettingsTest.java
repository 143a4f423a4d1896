package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SettingsTest {

    @Inject
    SessionStore sessions;
    @Inject
    Pool pool;
    @Inject
    RedisDataSource redis;

    static final Map<String, Object> GOOD = Map.of("locale", "de-DE", "timezone", "Europe/Berlin", "currency",
            "CHF", "theme", "dark");

    RequestSpecification as(TestSessions.Minted s) {
        return given().auth().oauth2(s.token());
    }

    long rows(String userId) {
        return pool.preparedQuery("select count(*) from settings.user_settings where user_id = $1::uuid")
                .execute(Tuple.of(userId)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }

    String row(String userId) {
        var it = pool.preparedQuery("select row_to_json(s)::text from settings.user_settings s where user_id = $1::uuid")
                .execute(Tuple.of(userId)).await().atMost(Duration.ofSeconds(5)).iterator();
        return it.hasNext() ? it.next().getString(0) : null;
    }

    @Test
    void defaultsUntilTheFirstWriteThenEveryChangeBumpsTheVersion() {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String id = me.record().userId();
        as(me).get("/api/settings/me").then().statusCode(200).header("ETag", "\"0\"")
                .body("locale", equalTo("en")).body("timezone", equalTo("UTC")).body("currency", equalTo("EUR"))
                .body("theme", equalTo("system")).body("version", equalTo(0));
        assertEquals(0, rows(id), "reading writes nothing");

        as(me).contentType("application/json").header("If-Match", "\"0\"").body(GOOD).put("/api/settings/me").then()
                .statusCode(200).header("ETag", "\"1\"").body("locale", equalTo("de-DE")).body("version", equalTo(1));
        as(me).get("/api/settings/me").then().header("ETag", "\"1\"").body("timezone", equalTo("Europe/Berlin"))
                .body("currency", equalTo("CHF")).body("theme", equalTo("dark"));
        // written through: Redis holds the committed version
        assertEquals("1", redis.hash(String.class).hget("settings:user:" + id, "v"));

        // merge patch: one field; null restores the default; canonical tags
        as(me).contentType("application/merge-patch+json").body("{\"theme\":\"light\",\"locale\":\"PT-br\"}")
                .patch("/api/settings/me").then().statusCode(200).header("ETag", "\"2\"")
                .body("theme", equalTo("light")).body("locale", equalTo("pt-BR")).body("currency", equalTo("CHF"));
        as(me).contentType("application/merge-patch+json").header("If-Match", "\"2\"").body("{\"currency\":null}")
                .patch("/api/settings/me").then().statusCode(200).header("ETag", "\"3\"")
                .body("currency", equalTo("EUR"));
        // the same values again change nothing, not even the version
        as(me).contentType("application/merge-patch+json").body("{\"currency\":\"EUR\"}").patch("/api/settings/me")
                .then().statusCode(200).header("ETag", "\"3\"");
    }

    @Test
    void putNeedsIfMatchAndAStaleOneIs412() {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String id = me.record().userId();
        as(me).contentType("application/json").body(GOOD).put("/api/settings/me").then().statusCode(428)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://strata.dev/problems/precondition-required"));
        assertEquals(0, rows(id));
        as(me).contentType("application/json").header("If-Match", "\"0\"").body(GOOD).put("/api/settings/me").then()
                .statusCode(200);
        String before = row(id);
        as(me).contentType("application/json").header("If-Match", "\"0\"")
                .body(Map.of("locale", "fr", "timezone", "Europe/Paris", "currency", "EUR", "theme", "light"))
                .put("/api/settings/me").then().statusCode(412)
                .body("type", equalTo("https://strata.dev/problems/precondition-failed")).header("ETag", "\"1\"");
        as(me).contentType("application/merge-patch+json").header("If-Match", "\"7\"").body("{\"theme\":\"light\"}")
                .patch("/api/settings/me").then().statusCode(412);
        as(me).contentType("application/json").header("If-Match", "W/\"1\"").body(GOOD).put("/api/settings/me").then()
                .statusCode(400).body("errors.field", hasItems("If-Match"));
        assertEquals(before, row(id), "nothing written");
    }

    @Test
    void unknownValuesAre400NamingEachFieldAndWriteNothing() {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String id = me.record().userId();
        as(me).contentType("application/json").header("If-Match", "\"0\"")
                .body(Map.of("locale", "xx-!!", "timezone", "Mars/Olympus_Mons", "currency", "XXX", "theme", "blue"))
                .put("/api/settings/me").then().statusCode(400)
                .body("type", equalTo("https://strata.dev/problems/validation"))
                .body("errors.field", hasItems("locale", "timezone", "currency", "theme"));
        as(me).contentType("application/json").header("If-Match", "\"0\"")
                .body(Map.of("locale", "en", "timezone", "+01:00", "currency", "eur", "theme", "dark"))
                .put("/api/settings/me").then().statusCode(400).body("errors.field", hasItems("timezone", "currency"));
        as(me).contentType("application/json").header("If-Match", "\"0\"").body(Map.of("locale", "en"))
                .put("/api/settings/me").then().statusCode(400)
                .body("errors.field", hasItems("timezone", "currency", "theme"));
        as(me).contentType("application/merge-patch+json").body("{\"colour\":\"red\"}").patch("/api/settings/me")
                .then().statusCode(400).body("errors.field", hasItems("colour"));
        as(me).contentType("application/merge-patch+json").body("{\"theme\":1}").patch("/api/settings/me").then()
                .statusCode(400).body("errors.field", hasItems("theme"));
        as(me).contentType("application/merge-patch+json").body("[\"theme\"]").patch("/api/settings/me").then()
                .statusCode(400);
        as(me).contentType("application/merge-patch+json").body("{\"theme\":\"dark\",\"theme\":\"light\"}")
                .patch("/api/settings/me").then().statusCode(400);
        as(me).contentType("text/plain").body("theme=dark").patch("/api/settings/me").then().statusCode(415);
        assertEquals(0, rows(id));
    }

    @Test
    void onlyTheOwnerReadsAndWritesAndAnonymousCallersAreRefused() {
        given().get("/api/settings/me").then().statusCode(401);
        given().contentType("application/json").header("If-Match", "\"0\"").body(GOOD).put("/api/settings/me").then()
                .statusCode(401);
        given().contentType("application/merge-patch+json").body("{}").patch("/api/settings/me").then()
                .statusCode(401);
        given().get("/api/settings/me/notifications").then().statusCode(401);
        TestSessions.Minted a = TestSessions.mint(sessions, "user");
        TestSessions.Minted b = TestSessions.mint(sessions, "user");
        as(a).contentType("application/json").header("If-Match", "\"0\"").body(GOOD).put("/api/settings/me").then()
                .statusCode(200);
        // b sees only b's own (defaults), never a's
        as(b).get("/api/settings/me").then().body("locale", equalTo("en")).body("version", equalTo(0));
    }

    @Test
    void notificationPreferencesHaveDefaultsAndAreReplacedWhole() {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        as(me).get("/api/settings/me/notifications").then().statusCode(200)
                .body("channels.email.kyc", equalTo(true)).body("channels.email.transfers", equalTo(false))
                .body("channels.push.transfers", equalTo(true)).body("channels.webhook.security", equalTo(true));
        Map<String, Object> all = Map.of("kyc", true, "security", true, "transfers", true, "alerts", false);
        Map<String, Object> none = Map.of("kyc", false, "security", false, "transfers", false, "alerts", false);
        as(me).contentType("application/json")
                .body(Map.of("channels", Map.of("email", all, "push", none, "webhook", all)))
                .put("/api/settings/me/notifications").then().statusCode(200)
                .body("channels.email.transfers", equalTo(true)).body("channels.push.kyc", equalTo(false));
        as(me).get("/api/settings/me/notifications").then().body("channels.email.alerts", equalTo(false))
                .body("channels.push.security", equalTo(false)).body("channels.webhook.transfers", equalTo(true));
        String stored = pool.preparedQuery("select count(*)::text from settings.notification_settings where user_id = $1::uuid")
                .execute(Tuple.of(me.record().userId())).await().atMost(Duration.ofSeconds(5)).iterator().next()
                .getString(0);
        // only the choices that differ from the defaults are rows (email: transfers on, alerts off; push: 4 off;
        // webhook: alerts off)
        assertEquals("7", stored);

        // incomplete, unknown or wrongly typed: 400, nothing changed
        as(me).contentType("application/json").body(Map.of("channels", Map.of("email", all, "push", none)))
                .put("/api/settings/me/notifications").then().statusCode(400)
                .body("errors.field", hasItems("channels.webhook"));
        as(me).contentType("application/json")
                .body(Map.of("channels", Map.of("email", all, "push", none, "webhook", all, "sms", all)))
                .put("/api/settings/me/notifications").then().statusCode(400)
                .body("errors.field", hasItems("channels.sms"));
        as(me).contentType("application/json")
                .body(Map.of("channels", Map.of("email", Map.of("kyc", true), "push", none, "webhook", all)))
                .put("/api/settings/me/notifications").then().statusCode(400)
                .body("errors.field", hasItems("channels.email.security"));
        as(me).contentType("application/json").body("{\"channels\":{\"email\":{\"kyc\":\"yes\"}}}")
                .put("/api/settings/me/notifications").then().statusCode(400);
        as(me).get("/api/settings/me/notifications").then().body("channels.email.transfers", equalTo(true))
                .body("channels.push.kyc", equalTo(false));
    }
}
