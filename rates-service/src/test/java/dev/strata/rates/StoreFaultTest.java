package dev.strata.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URL;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.Faults;
import dev.strata.testing.Faults.Answer;
import dev.strata.testing.OwnStoresResource;

/**
 * rates-service's own stores stopped, restarted and frozen under it: 503 problems within seconds (never a hang),
 * readiness DOWN meanwhile, back soon after, no acknowledged override lost.
 */
@QuarkusTest
@WithTestResource(value = OwnStoresResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StoreFaultTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    SessionStore sessions;

    static String url(String path) {
        return Faults.url(RestAssured.port, path);
    }

    static Answer override(TestSessions.Minted admin, String rate) {
        return Faults.call("PUT", url("/api/rates/EUR/USD"), admin.token(), "{\"rate\":\"" + rate + "\"}");
    }

    static Answer read() {
        return Faults.get(url("/api/rates/EUR/USD"), null);
    }

    @Test
    void redisStoppedAndRestarted() throws Exception {
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        assertEquals(200, override(admin, "1.05").status());
        assertEquals(200, read().status());
        OwnStoresResource.redis().stop();
        try {
            Answer a = read();
            assertTrue((a.status() == 200 || a.isProblem(503)) && a.millis() < 2500, "Redis down: " + a);
            Answer w = override(admin, "1.06");
            assertTrue(w.isProblem(503) && w.millis() < 2500, "a signed-in call with Redis down: " + w);
            assertEquals(503, Faults.await(503, Duration.ofSeconds(2), () -> Faults.ready(management.getPort())).status());
        } finally {
            OwnStoresResource.redis().start();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), StoreFaultTest::read).status());
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> override(admin, "1.07")).status());
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> Faults.ready(management.getPort())).status());
    }

    @Test
    void postgresStoppedAndRestartedLosesNoAcknowledgedOverride() throws Exception {
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        for (String r : new String[] {"1.10", "1.20", "1.30"}) {
            assertEquals(200, override(admin, r).status());
        }
        OwnStoresResource.postgres().stop();
        try {
            Answer w = override(admin, "1.40");
            assertTrue(w.isProblem(503) && w.millis() < 9000, "override with PostgreSQL down: " + w);
            assertEquals(503, Faults.await(503, Duration.ofSeconds(3), () -> Faults.ready(management.getPort())).status());
        } finally {
            OwnStoresResource.postgres().start();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(10), () -> Faults.ready(management.getPort())).status());
        Answer after = Faults.await(200, Duration.ofSeconds(5), StoreFaultTest::read);
        assertEquals(200, after.status(), "read after restart: " + after);
        assertEquals(0, new BigDecimal("1.30").compareTo(new BigDecimal(new JsonObject(after.body()).getString("rate"))),
                "the last acknowledged override survived: " + after);
    }

    @Test
    void frozenStoresNeverHoldARequest() throws Exception {
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        OwnStoresResource.postgres().pause();
        try {
            Answer w = override(admin, "1.50");
            assertTrue(w.isProblem(503) && w.millis() < 9000, "override with PostgreSQL frozen: " + w);
        } finally {
            OwnStoresResource.postgres().resume();
        }
        OwnStoresResource.redis().pause();
        try {
            Answer a = override(admin, "1.51");
            assertTrue(a.isProblem(503) && a.millis() < 3500, "Redis frozen (timeout 2 s): " + a);
        } finally {
            OwnStoresResource.redis().resume();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> override(admin, "1.52")).status());
    }
}
