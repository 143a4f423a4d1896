package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InternalAuthTest {

    @Test
    void internalEndpointsRefuseCallersWithoutTheServiceCredential() {
        given().get("/internal/probes/ping").then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/unauthenticated"));
        given().auth().oauth2("test-internal-token-012345678").get("/internal/probes/ping").then().statusCode(401);
        given().auth().oauth2("test-internal-token-0123456789x").get("/internal/probes/ping").then().statusCode(401);
        given().header("Authorization", "Basic dGVzdA==").get("/internal/probes/ping").then().statusCode(401);
    }

    @Test
    void internalEndpointsAcceptTheServiceCredential() {
        given().auth().oauth2("test-internal-token-0123456789").get("/internal/probes/ping").then().statusCode(200)
                .body("status", equalTo("pong")).body("caller", equalTo("shared"));
    }

    @Test
    void eachServiceHasItsOwnCredentialAndTheCalleeKnowsWhichOne() {
        given().auth().oauth2("test-kyc-token-0123456789").get("/internal/probes/ping").then().statusCode(200)
                .body("caller", equalTo("kyc"));
        given().auth().oauth2("test-kyc-token-012345678").get("/internal/probes/ping").then().statusCode(401);
    }
}
