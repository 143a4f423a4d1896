package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionStore;
import dev.strata.testing.EmbeddedRedis;
import dev.strata.platform.testsupport.TestSessions;

/** Stops and restarts a Redis of its own (OwnRedisResource), so it runs everywhere and disturbs no other test. */
@QuarkusTest
@WithTestResource(value = OwnRedisResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RedisDownTest {

    @Inject
    SessionStore store;

    @Test
    void authenticationFailsClosedWhileRedisIsDownAndRecoversAfter() throws Exception {
        EmbeddedRedis redis = OwnRedisResource.redis;
        TestSessions.Minted s = TestSessions.mint(store, "user");
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(200);

        redis.stop();
        try {
            given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(503)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://strata.dev/problems/dependency-unavailable"));
            given().header("X-Forwarded-For", "192.0.2.200").get("/api/probes/limited").then().statusCode(503)
                    .contentType("application/problem+json");
            // endpoints that need neither a session nor a limit keep working
            given().get("/api/probes/public").then().statusCode(200);
        } finally {
            redis.start();
        }
        // Redis came back empty: the old session is gone (401, never 200), a new one works
        given().auth().oauth2(s.token()).get("/api/probes/me").then().statusCode(401);
        TestSessions.Minted fresh = TestSessions.mint(store, "user");
        given().auth().oauth2(fresh.token()).get("/api/probes/me").then().statusCode(200)
                .body("userId", equalTo(fresh.record().userId()));
    }
}
