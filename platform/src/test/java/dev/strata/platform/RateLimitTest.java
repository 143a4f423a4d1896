package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionStore;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RateLimitTest {

    private static final int LIMIT = 37;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    SessionStore store;

    @Test
    void exactlyLimitOf500ConcurrentRequestsPass() throws Exception {
        // a fresh client address (through the trusted proxy 127.0.0.1) gives this test its own bucket
        String clientIp = "203.0.113." + (int) (Math.random() * 250 + 1);
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(64))
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/probes/limited"))
                .header("X-Forwarded-For", "198.51.100.7, " + clientIp).timeout(Duration.ofSeconds(30)).GET().build();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int limited = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                ok++;
                assertEquals(String.valueOf(LIMIT), r.headers().firstValue("RateLimit-Limit").orElse(null));
                assertNotNull(r.headers().firstValue("RateLimit-Remaining").orElse(null));
            } else if (r.statusCode() == 429) {
                limited++;
                assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()) >= 1);
                assertEquals("0", r.headers().firstValue("RateLimit-Remaining").orElseThrow());
                assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/problem+json"));
                assertTrue(r.body().contains("https://strata.dev/problems/rate-limited"), r.body());
            }
        }
        assertEquals(LIMIT, ok, "admitted");
        assertEquals(500 - LIMIT, limited, "rejected");
        // another client is not affected: the subject is the resolved client address
        given().header("X-Forwarded-For", "192.0.2.99").get("/api/probes/limited").then().statusCode(200)
                .header("RateLimit-Remaining", String.valueOf(LIMIT - 1));
    }

    @Test
    void spoofedForwardedForLeftOfTheProxyDoesNotEscapeTheLimit() {
        // the client controls everything left of the address the trusted proxy appended: rotating it must not help
        String real = "203.0.113.250";
        for (int i = 0; i < LIMIT; i++) {
            given().header("X-Forwarded-For", "10.9.8." + i + ", " + real).get("/api/probes/limited").then()
                    .statusCode(200);
        }
        given().header("X-Forwarded-For", "10.9.9.9, " + real).get("/api/probes/limited").then().statusCode(429);
    }

    @Test
    void accountPolicyCountsPerAccount() {
        TestSessions.Minted alice = TestSessions.mint(store, "user");
        TestSessions.Minted bob = TestSessions.mint(store, "user");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(alice.token()).get("/api/probes/account-limited").then().statusCode(200);
        }
        given().auth().oauth2(alice.token()).get("/api/probes/account-limited").then().statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        given().auth().oauth2(bob.token()).get("/api/probes/account-limited").then().statusCode(200);
    }
}
