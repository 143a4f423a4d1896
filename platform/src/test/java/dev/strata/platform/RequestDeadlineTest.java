package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.testing.StrataServersResource;

/** A request waiting on something without a deadline of its own is still answered: 503 at the backstop. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RequestDeadlineTest {

    @Test
    void aRequestThatWouldHangIsAnswered503AtTheDeadline() {
        long t0 = System.nanoTime();
        given().get("/api/probes/never").then().statusCode(503)
                .contentType(org.hamcrest.Matchers.containsString("application/problem+json"))
                .body("type", equalTo("https://strata.dev/problems/dependency-unavailable"))
                .header("Retry-After", equalTo("5"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 1900 && ms < 5000, "answered after " + ms + " ms (deadline 2 s)");
        // and what answers in time is untouched
        given().get("/api/probes/public").then().statusCode(200).body("status", equalTo("ok"));
    }
}
