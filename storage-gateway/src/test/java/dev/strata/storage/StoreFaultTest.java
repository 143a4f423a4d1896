package dev.strata.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

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
 * storage-gateway's own S3 and Redis stopped, restarted and frozen under it: 503 problems within
 * seconds (never a hang), readiness DOWN meanwhile (it probes S3), back soon after.
 */
@QuarkusTest
@WithTestResource(value = OwnStoresResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StoreFaultTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static final String UPLOAD = "{\"fileName\":\"a.png\",\"contentType\":\"image/png\",\"size\":1024}";

    @Inject
    SessionStore sessions;

    static String url(String path) {
        return Faults.url(RestAssured.port, path);
    }

    static Answer upload(TestSessions.Minted who) {
        return Faults.call("POST", url("/api/uploads"), who.token(), UPLOAD);
    }

    @Test
    void s3StoppedAndRestarted() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        assertEquals(201, upload(me).status());
        OwnStoresResource.s3().stop();
        try {
            Answer a = upload(me);
            assertTrue(a.isProblem(503) && a.millis() < 9000, "S3 down: " + a);
            Answer r = Faults.await(503, Duration.ofSeconds(10), () -> Faults.ready(management.getPort()));
            assertEquals(503, r.status(), "readiness DOWN: " + r);
        } finally {
            OwnStoresResource.s3().start();
        }
        assertEquals(201, Faults.await(201, Duration.ofSeconds(10), () -> upload(me)).status(), "back after S3");
        assertEquals(200, Faults.await(200, Duration.ofSeconds(15), () -> Faults.ready(management.getPort())).status());
    }

    @Test
    void redisStoppedAndRestarted() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        assertEquals(201, upload(me).status());
        OwnStoresResource.redis().stop();
        try {
            Answer a = upload(me);
            assertTrue(a.isProblem(503) && a.millis() < 2500, "Redis down: " + a);
            assertEquals(503, Faults.await(503, Duration.ofSeconds(3), () -> Faults.ready(management.getPort())).status());
        } finally {
            OwnStoresResource.redis().start();
        }
        assertEquals(201, Faults.await(201, Duration.ofSeconds(5), () -> upload(me)).status(), "back after Redis");
    }

    @Test
    void frozenStoresNeverHoldARequest() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        // (the gateway keeps no table of its own: PostgreSQL is not on its path)
        for (var server : List.of(OwnStoresResource.s3(), OwnStoresResource.redis())) {
            server.pause();
            try {
                Answer a = upload(me);
                assertTrue(a.isProblem(503) && a.millis() < 9000, server.getClass().getSimpleName() + " frozen: " + a);
            } finally {
                server.resume();
            }
        }
        assertEquals(201, Faults.await(201, Duration.ofSeconds(10), () -> upload(me)).status(), "all back");
    }
}
