package dev.strata.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.Faults;
import dev.strata.testing.Faults.Answer;
import dev.strata.testing.OwnStoresResource;

/**
 * Stores of this class's own, stopped, restarted and frozen under the running service: a 503 problem within
 * seconds (never a 200 without a session, never a hang), readiness DOWN meanwhile, back soon after, and no
 * acknowledged write lost.
 */
@QuarkusTest
@WithTestResource(value = OwnStoresResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = "strata.settings.db-timeout", value = "PT2S"),
        @ResourceArg(name = "strata.settings.events.consumers-enabled", value = "false") })
class StoreFaultTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    SessionStore sessions;
    @Inject
    io.quarkus.redis.datasource.RedisDataSource redis;

    static String url(String path) {
        return Faults.url(RestAssured.port, path);
    }

    @Test
    void redisStoppedAndRestarted() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        assertEquals(200, Faults.get(url("/api/settings/me"), me.token()).status());
        OwnStoresResource.redis().stop();
        try {
            Answer a = Faults.get(url("/api/settings/me"), me.token());
            assertTrue(a.isProblem(503) && a.millis() < 2000, "Redis down: " + a);
            Answer r = Faults.await(503, Duration.ofSeconds(2), () -> Faults.ready(management.getPort()));
            assertEquals(503, r.status(), "readiness DOWN: " + r);
        } finally {
            OwnStoresResource.redis().start();
        }
        Answer back = Faults.await(200, Duration.ofSeconds(5), () -> Faults.get(url("/api/settings/me"), me.token()));
        assertEquals(200, back.status(), "back within 5 s of Redis: " + back);
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> Faults.ready(management.getPort())).status());
    }

    static Answer patch(TestSessions.Minted who, String json) {
        return Faults.call("PATCH", url("/api/settings/me"), who.token(), "application/merge-patch+json", json);
    }

    @Test
    void postgresStoppedAndRestartedLosesNoAcknowledgedWrite() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        String lastAcked = null;
        for (String locale : List.of("de", "fr", "pt-BR", "ja")) {
            if (patch(me, "{\"locale\":\"" + locale + "\"}").status() == 200) {
                lastAcked = locale;
            }
        }
        assertEquals("ja", lastAcked);
        OwnStoresResource.postgres().stop();
        try {
            Answer w = patch(me, "{\"locale\":\"it\"}");
            assertTrue(w.isProblem(503) && w.millis() < 3500, "write with PostgreSQL down: " + w);
            Answer r = Faults.await(503, Duration.ofSeconds(3), () -> Faults.ready(management.getPort()));
            assertEquals(503, r.status(), "readiness DOWN: " + r);
        } finally {
            OwnStoresResource.postgres().start();
        }
        // read from PostgreSQL, not from the cache: drop the Redis copy (the replica's own lives < 1 s)
        redis.key().del("settings:user:" + me.userId());
        Thread.sleep(1000);
        Answer read = Faults.await(200, Duration.ofSeconds(10), () -> Faults.get(url("/api/settings/me"), me.token()));
        assertEquals(200, read.status(), "read after restart: " + read);
        assertTrue(read.body().contains("\"locale\":\"ja\""), "the last acknowledged write survived: " + read);
        assertEquals(200, Faults.await(200, Duration.ofSeconds(10), () -> Faults.ready(management.getPort())).status());
        assertEquals(200, patch(me, "{\"locale\":\"it\"}").status(), "writes work again");
    }

    @Test
    void frozenStoresNeverHoldARequestPastTheirTimeout() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        assertEquals(200, patch(me, "{\"theme\":\"dark\"}").status());
        OwnStoresResource.postgres().pause();
        try {
            Answer w = patch(me, "{\"theme\":\"light\"}");
            assertTrue(w.isProblem(503) && w.millis() < 3500, "write with PostgreSQL frozen (db-timeout 2 s): " + w);
        } finally {
            OwnStoresResource.postgres().resume();
        }
        OwnStoresResource.redis().pause();
        try {
            Answer a = Faults.get(url("/api/settings/me"), me.token());
            assertTrue(a.isProblem(503) && a.millis() < 3500, "Redis frozen (timeout 2 s): " + a);
        } finally {
            OwnStoresResource.redis().resume();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5),
                () -> patch(me, "{\"theme\":\"light\"}")).status(), "both back");
    }
}
