package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

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
        org.junit.jupiter.api.Assertions.assertNotEquals(io.restassured.RestAssured.port, management.getPort());
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/health/live").then().statusCode(404);
        given().accept("text/plain").get("/q/metrics").then().statusCode(404);
    }

    @Test
    void storeMetricsAreExposed() {
        // readiness uses the stores, so every store meter exists by now
        given().port(management.getPort()).get("/q/health/ready").then().statusCode(200);
        String metrics = given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        // its reactive PostgreSQL pool, its statements and its Redis client (see platform/README.md "Store metrics")
        for (String name : List.of("sql_pool_active{", "sql_pool_idle{", "sql_pool_queue_size{",
                "sql_pool_queue_delay_seconds_count{", "sql_pool_rejected_total{", "postgresql_reset_total{",
                "redis_commands_duration_seconds_count{", "redis_commands_failure_total{",
                "redis_pool_queue_delay_seconds_count{")) {
            assertTrue(metrics.contains(name), name + " missing from /q/metrics");
        }
    }

    @Test
    void openApiDocumentIsServed() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("Strata settings-service"));
    }
}
