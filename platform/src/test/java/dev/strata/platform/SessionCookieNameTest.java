package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StrataServersResource;

/** A run over plain http names the cookie without {@code __Host-}: that name, and only it, carries the session. */
@QuarkusTest
@TestProfile(SessionCookieNameTest.PlainHttp.class)
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SessionCookieNameTest {

    public static class PlainHttp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("strata.sessions.cookie-name", "strata_session");
        }
    }

    @Inject
    SessionStore store;

    @Test
    void theConfiguredNameCarriesTheSessionAndTheDefaultDoesNot() {
        TestSessions.Minted s = TestSessions.mint(store, "user");
        given().cookie("strata_session", s.token()).get("/api/probes/me").then().statusCode(200)
                .body("userId", equalTo(s.record().userId()));
        given().cookie("__Host-strata_session", s.token()).get("/api/probes/me").then().statusCode(401);
    }
}
