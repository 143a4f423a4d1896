package dev.strata.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.testing.StrataServersResource;

/** The service starts on real servers and migrates its schema, and answers health, metrics and OpenAPI. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ServiceSkeletonTest {

    @Test
    void readyWhenItsStoresAreReachable() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsArePrometheusText() {
        given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    /** Request latency is a histogram with fixed buckets (p99 across replicas for the alerts). */
    @Test
    void requestLatencyIsAHistogram() {
        given().get("/api/auth/ping").then().statusCode(200);
        given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*http_server_requests_seconds_bucket\\{(?=[^}]*uri=\"/api/auth/ping\")"
                        + "(?=[^}]*le=\"10\\.0\")[^}]*\\} [1-9].*"));
    }

    @Test
    void openApiDocumentIsServed() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("Strata auth-service"));
    }
}
