package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;


import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.testing.ManagementChecks;
import dev.strata.testing.StrataServersResource;

/** The service starts on real servers and migrates its schema, and answers health, metrics and OpenAPI. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ServiceSkeletonTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void readyWhenItsStoresAreReachable() {
        given().port(management.getPort()).get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().port(management.getPort()).get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().port(management.getPort()).get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsArePrometheusText() {
        given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    /** Health and metrics are on the management port only: the port the Service (and Ingress) uses has neither. */
    @Test
    void healthAndMetricsAreNotOnTheMainPort() {
        ManagementChecks.servedOnlyOnManagementPort(io.restassured.RestAssured.port, management.getPort());
    }

    @Test
    void storeMetricsAreExposed() {
        // its reactive PostgreSQL pool, its statements and its Redis client
        ManagementChecks.exportsMeters(management.getPort(), ManagementChecks.DATABASE_SERVICE_METERS);
    }

    @Test
    void openApiDocumentIsServed() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("Strata settings-service"));
    }
}
