package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.settings.domain.SettingsValue;
import dev.strata.settings.service.SettingsCache;
import dev.strata.testing.Concurrently;
import dev.strata.testing.StrataServersResource;

/**
 * The cache is never stale for long and never keeps an older value: a second replica's cache (its own local map,
 * its own subscription, the same Redis) against writes through the service, with real concurrency.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SettingsCacheTest {

    @Inject
    SessionStore sessions;
    @Inject
    Pool pool;
    @Inject
    RedisDataSource redis;
    @Inject
    ReactiveRedisDataSource reactiveRedis;
    @Inject
    ObjectMapper json;
    @Inject
    EventBus events;
    @Inject
    dev.strata.settings.service.SettingsService service;

    /** Another replica: its own cache in front of the same Redis, invalidated by the same messages. */
    SettingsCache replica() {
        SettingsCache other = new SettingsCache(reactiveRedis, json, Duration.ofMinutes(30), Duration.ofMillis(900),
                100, Duration.ofSeconds(2));
        events.subscribe("strata.settings.*", (ch, e) -> other.forget(UUID.fromString(e.subject())))
                .await().atMost(Duration.ofSeconds(5));
        return other;
    }

    SettingsValue database(UUID userId) {
        var it = pool.preparedQuery("select locale, timezone, currency, theme, version from settings.user_settings"
                + " where user_id = $1").execute(Tuple.of(userId)).await().atMost(Duration.ofSeconds(5)).iterator();
        var r = it.next();
        return new SettingsValue(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getLong(4));
    }

    SettingsValue read(SettingsCache cache, UUID userId) {
        return cache.get(userId, () -> Uni.createFrom().item(database(userId))).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void concurrentWritersNeverLeaveRedisHoldingTheOlderValue() throws Exception {
        String[] themes = {"light", "dark", "system"};
        String[] zones = {"Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Europe/Lisbon", "Africa/Lagos"};
        for (int round = 0; round < 5; round++) {
            TestSessions.Minted me = TestSessions.mint(sessions, "user");
            UUID id = UUID.fromString(me.record().userId());
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String body = "{\"theme\":\"" + themes[i % 3] + "\",\"timezone\":\"" + zones[i] + "\"}";
                writers.add(() -> given().auth().oauth2(me.token()).contentType("application/merge-patch+json")
                        .body(body).patch("/api/settings/me").statusCode());
            }
            List<Integer> codes = Concurrently.run(writers);
            assertEquals(List.of(200, 200, 200, 200, 200, 200), codes);
            SettingsValue committed = database(id);
            assertEquals(6, committed.version(), "every write applied, one after the other");
            Map<String, String> entry = redis.hash(String.class).hgetall(SettingsCache.key(id));
            assertEquals(Long.toString(committed.version()), entry.get("v"), "round " + round + ": " + entry);
            assertEquals(committed, json.readValue(entry.get("d"), SettingsValue.class));
        }
    }

    @Test
    void anOlderWriteArrivingLateChangesNothing() {
        SettingsCache a = replica();
        SettingsCache b = replica();
        UUID id = UUID.randomUUID();
        SettingsValue v5 = new SettingsValue("de", "Europe/Berlin", "EUR", "dark", 5);
        SettingsValue v4 = new SettingsValue("en", "UTC", "USD", "light", 4);
        assertTrue(a.putIfNewer(id, v5).await().atMost(Duration.ofSeconds(5)));
        assertFalse(b.putIfNewer(id, v4).await().atMost(Duration.ofSeconds(5)), "the older version is refused");
        assertFalse(b.putIfNewer(id, v5).await().atMost(Duration.ofSeconds(5)), "the same version too");
        assertEquals("5", redis.hash(String.class).hget(SettingsCache.key(id), "v"));
        assertEquals(v5, b.get(id, () -> Uni.createFrom().failure(new AssertionError("Redis has it")))
                .await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void aReplicaSeesACommittedWriteWithinASecond() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        UUID id = UUID.fromString(me.record().userId());
        given().auth().oauth2(me.token()).contentType("application/merge-patch+json").body("{\"theme\":\"dark\"}")
                .patch("/api/settings/me").then().statusCode(200);
        SettingsCache other = replica();
        assertEquals("dark", read(other, id).theme());
        for (int i = 0; i < 5; i++) {
            String theme = i % 2 == 0 ? "light" : "dark";
            // the other replica has the previous value in its own memory right now
            assertEquals(i % 2 == 0 ? "dark" : "light", read(other, id).theme());
            given().auth().oauth2(me.token()).contentType("application/merge-patch+json")
                    .body("{\"theme\":\"" + theme + "\"}").patch("/api/settings/me").then().statusCode(200);
            long committed = System.nanoTime();
            SettingsValue seen = read(other, id);
            while (!seen.theme().equals(theme) && System.nanoTime() - committed < 2_000_000_000L) {
                Thread.sleep(10);
                seen = read(other, id);
            }
            long tookMs = (System.nanoTime() - committed) / 1_000_000;
            assertEquals(theme, seen.theme());
            assertTrue(tookMs < 1000, "stale for " + tookMs + " ms");
        }
    }

    @Test
    void withoutInvalidationMessagesALocalEntryStillExpiresWithinASecond() throws Exception {
        // a replica that missed every message (no subscription): its own copy ends by its lifetime
        SettingsCache deaf = new SettingsCache(reactiveRedis, json, Duration.ofMinutes(30), Duration.ofMillis(900),
                100, Duration.ofSeconds(2));
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        UUID id = UUID.fromString(me.record().userId());
        given().auth().oauth2(me.token()).contentType("application/merge-patch+json").body("{\"theme\":\"dark\"}")
                .patch("/api/settings/me").then().statusCode(200);
        assertEquals("dark", read(deaf, id).theme());
        given().auth().oauth2(me.token()).contentType("application/merge-patch+json").body("{\"theme\":\"light\"}")
                .patch("/api/settings/me").then().statusCode(200);
        long committed = System.nanoTime();
        SettingsValue seen = read(deaf, id);
        while (!seen.theme().equals("light") && System.nanoTime() - committed < 3_000_000_000L) {
            Thread.sleep(10);
            seen = read(deaf, id);
        }
        assertEquals("light", seen.theme());
        assertTrue((System.nanoTime() - committed) / 1_000_000 < 1000);
        assertEquals("light", service.get(id).await().atMost(Duration.ofSeconds(5)).theme());
    }
}
