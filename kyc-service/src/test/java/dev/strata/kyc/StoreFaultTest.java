package dev.strata.kyc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
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
 * kyc-service's own PostgreSQL and Redis stopped, restarted and frozen under it: 503 problems within seconds
 * (never a hang), readiness DOWN meanwhile, back soon after, no acknowledged application lost. (Documents go
 * through storage-gateway, whose own outage KycStoresTest covers.)
 */
@QuarkusTest
@WithTestResource(value = OwnStoresResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = "strata.kyc.db-timeout", value = "PT2S"),
        @ResourceArg(name = "strata.kyc.gateway.url", value = "http://127.0.0.1:9"),
        @ResourceArg(name = "strata.kyc.gateway.token", value = "no-gateway-in-this-test-0123456789") })
class StoreFaultTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    SessionStore sessions;

    static String url(String path) {
        return Faults.url(RestAssured.port, path);
    }

    static Answer create(TestSessions.Minted who) {
        return Faults.call("POST", url("/api/kyc/applications"), who.token(), "{\"applicantType\":\"individual\"}");
    }

    static Answer mine(TestSessions.Minted who) {
        return Faults.get(url("/api/kyc/applications"), who.token());
    }

    @Test
    void redisStoppedAndRestarted() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        assertEquals(200, mine(me).status());
        OwnStoresResource.redis().stop();
        try {
            Answer a = mine(me);
            assertTrue(a.isProblem(503) && a.millis() < 2500, "Redis down: " + a);
            assertEquals(503, Faults.await(503, Duration.ofSeconds(3), () -> Faults.ready(management.getPort())).status());
        } finally {
            OwnStoresResource.redis().start();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> mine(me)).status());
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> Faults.ready(management.getPort())).status());
    }

    @Test
    void postgresStoppedAndRestartedLosesNoAcknowledgedApplication() throws Exception {
        List<TestSessions.Minted> users = new ArrayList<>();
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestSessions.Minted u = TestSessions.mint(sessions, "user");
            Answer a = create(u);
            assertEquals(201, a.status(), a.toString());
            users.add(u);
            acked.add(new JsonObject(a.body()).getString("id"));
        }
        OwnStoresResource.postgres().stop();
        try {
            Answer w = create(TestSessions.mint(sessions, "user"));
            assertTrue(w.isProblem(503) && w.millis() < 3500, "create with PostgreSQL down: " + w);
            assertEquals(503, Faults.await(503, Duration.ofSeconds(3), () -> Faults.ready(management.getPort())).status());
        } finally {
            OwnStoresResource.postgres().start();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(10), () -> Faults.ready(management.getPort())).status());
        for (int i = 0; i < users.size(); i++) {
            TestSessions.Minted u = users.get(i);
            Answer a = Faults.await(200, Duration.ofSeconds(5), () -> mine(u));
            assertTrue(a.status() == 200 && a.body().contains(acked.get(i)), "application survived: " + a);
        }
    }

    @Test
    void frozenStoresNeverHoldARequest() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        OwnStoresResource.postgres().pause();
        try {
            Answer w = create(me);
            assertTrue(w.isProblem(503) && w.millis() < 3500, "create with PostgreSQL frozen (db-timeout 2 s): " + w);
        } finally {
            OwnStoresResource.postgres().resume();
        }
        OwnStoresResource.redis().pause();
        try {
            Answer a = mine(me);
            assertTrue(a.isProblem(503) && a.millis() < 3500, "Redis frozen (timeout 2 s): " + a);
        } finally {
            OwnStoresResource.redis().resume();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> mine(me)).status(), "both back");
    }
}
