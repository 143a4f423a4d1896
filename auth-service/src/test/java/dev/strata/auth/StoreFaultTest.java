package dev.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

import dev.strata.testing.Faults;
import dev.strata.testing.Faults.Answer;
import dev.strata.testing.OwnStoresResource;

/**
 * auth-service's own stores stopped, restarted and frozen under it: 503 problems within seconds (never a 200
 * without a session, never a hang), readiness DOWN meanwhile, back soon after, no acknowledged sign-up lost.
 */
@QuarkusTest
@WithTestResource(value = OwnStoresResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StoreFaultTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static String url(String path) {
        return Faults.url(RestAssured.port, path);
    }

    static Answer signUp(String email) {
        return Faults.call("POST", url("/api/users"), null,
                "{\"email\":\"" + email + "\",\"password\":\"" + Api.PASSWORD + "\"}");
    }

    @Test
    void redisStoppedAndRestarted() throws Exception {
        Api.Signed me = Api.newUser();
        assertEquals(200, Faults.get(url("/api/users/me"), me.token()).status());
        OwnStoresResource.redis().stop();
        long stopped = System.nanoTime();
        try {
            // the session was checked a moment ago: the near-cache may answer for it until its bound (1 s) runs out,
            // or until it notices the lost feed; after that every request is a 503 problem, never a hang
            Answer a = Faults.get(url("/api/users/me"), me.token());
            while (a.status() == 200 && System.nanoTime() - stopped < 2_000_000_000L) {
                assertTrue(System.nanoTime() - stopped < 1_200_000_000L, "200 past the near-cache bound: " + a);
                a = Faults.get(url("/api/users/me"), me.token());
            }
            assertTrue(a.isProblem(503) && a.millis() < 2000, "Redis down: " + a);
            Answer again = Faults.get(url("/api/users/me"), me.token());
            assertTrue(again.isProblem(503), "still down: " + again);
            assertEquals(503, Faults.await(503, Duration.ofSeconds(2), () -> Faults.ready(management.getPort())).status());
        } finally {
            OwnStoresResource.redis().start();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5),
                () -> Faults.get(url("/api/users/me"), me.token())).status(), "back within 5 s of Redis");
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5), () -> Faults.ready(management.getPort())).status());
    }

    @Test
    void postgresStoppedAndRestartedLosesNoAcknowledgedSignUp() throws Exception {
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String email = Api.randomEmail();
            if (signUp(email).status() == 201) {
                acked.add(email);
            }
        }
        assertEquals(3, acked.size());
        OwnStoresResource.postgres().stop();
        try {
            Answer w = signUp(Api.randomEmail());
            assertTrue(w.isProblem(503) && w.millis() < 9000, "sign-up with PostgreSQL down: " + w);
            assertEquals(503, Faults.await(503, Duration.ofSeconds(3), () -> Faults.ready(management.getPort())).status());
        } finally {
            OwnStoresResource.postgres().start();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(10), () -> Faults.ready(management.getPort())).status());
        for (String email : acked) {
            Answer in = Faults.await(201, Duration.ofSeconds(5), () -> Faults.call("POST", url("/api/sessions"), null,
                    "{\"email\":\"" + email + "\",\"password\":\"" + Api.PASSWORD + "\"}"));
            assertEquals(201, in.status(), "an acknowledged sign-up survived the restart: " + in);
        }
    }

    @Test
    void frozenStoresNeverHoldARequest() {
        Api.Signed me = Api.newUser();
        OwnStoresResource.postgres().pause();
        try {
            Answer w = signUp(Api.randomEmail());
            assertTrue(w.isProblem(503) && w.millis() < 9000, "sign-up with PostgreSQL frozen: " + w);
        } finally {
            OwnStoresResource.postgres().resume();
        }
        OwnStoresResource.redis().pause();
        try {
            Answer a = Faults.get(url("/api/users/me"), me.token());
            assertTrue(a.isProblem(503) && a.millis() < 3500, "Redis frozen (timeout 2 s): " + a);
        } finally {
            OwnStoresResource.redis().resume();
        }
        assertEquals(200, Faults.await(200, Duration.ofSeconds(5),
                () -> Faults.get(url("/api/users/me"), me.token())).status(), "both back");
    }
}
