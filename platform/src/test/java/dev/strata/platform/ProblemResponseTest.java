package dev.strata.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.platform.testapp.ProbeResource;
import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ProblemResponseTest {

    @Test
    void validWidgetIsAccepted() {
        int before = ProbeResource.WIDGETS_WRITTEN.get();
        given().contentType(ContentType.JSON).body("{\"name\":\"bolt\",\"quantity\":3}")
                .post("/api/probes/widgets").then().statusCode(201).body("name", equalTo("bolt"));
        assertEquals(before + 1, ProbeResource.WIDGETS_WRITTEN.get());
    }

    @Test
    void validationFailureIs400WithEveryOffendingFieldAndWritesNothing() {
        int before = ProbeResource.WIDGETS_WRITTEN.get();
        given().contentType(ContentType.JSON).body("{\"name\":\"\",\"quantity\":99,\"contact\":\"not-an-email\"}")
                .post("/api/probes/widgets").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/validation"))
                .body("status", equalTo(400))
                .body("instance", equalTo("/api/probes/widgets"))
                .body("errors.field", hasItems("name", "quantity", "contact"));
        assertEquals(before, ProbeResource.WIDGETS_WRITTEN.get());
    }

    @Test
    void missingBodyIs400() {
        given().contentType(ContentType.JSON).post("/api/probes/widgets").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void malformedJsonIs400NotA500() {
        int before = ProbeResource.WIDGETS_WRITTEN.get();
        given().contentType(ContentType.JSON).body("{\"name\": \"bolt\", \"quantity\": ")
                .post("/api/probes/widgets").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/malformed-body"))
                .body("detail", not(containsString("Exception")));
        given().contentType(ContentType.JSON).body("{\"name\": \"bolt\", \"quantity\": \"many\"}")
                .post("/api/probes/widgets").then().statusCode(400)
                .body("type", equalTo("https://strata.dev/problems/malformed-body"))
                .body("errors[0].field", equalTo("quantity"));
        given().contentType(ContentType.JSON).body("[1,2,3]")
                .post("/api/probes/widgets").then().statusCode(400);
        // a valid object followed by anything else is not one JSON document
        given().contentType(ContentType.JSON).body("{\"name\":\"bolt\",\"quantity\":3}{\"quantity\":9}")
                .post("/api/probes/widgets").then().statusCode(400)
                .body("type", equalTo("https://strata.dev/problems/malformed-body"));
        assertEquals(before, ProbeResource.WIDGETS_WRITTEN.get());
    }

    @Test
    void aNulCharacterInAnyStringIs400NamingTheField() {
        int before = ProbeResource.WIDGETS_WRITTEN.get();
        given().contentType(ContentType.JSON).body("{\"name\":\"bo\\u0000lt\",\"quantity\":3}")
                .post("/api/probes/widgets").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/malformed-body"))
                .body("errors[0].field", equalTo("name"));
        given().contentType(ContentType.JSON).body("{\"name\":\"bolt\",\"quantity\":3,\"contact\":\"\\u0000\"}")
                .post("/api/probes/widgets").then().statusCode(400).body("errors[0].field", equalTo("contact"));
        // other control characters are the endpoint's business; the same text without NUL is fine
        given().contentType(ContentType.JSON).body("{\"name\":\"bolt\",\"quantity\":3}")
                .post("/api/probes/widgets").then().statusCode(201);
        assertEquals(before + 1, ProbeResource.WIDGETS_WRITTEN.get());
    }

    @Test
    void wrongContentTypeIs415Problem() {
        given().contentType(ContentType.TEXT).body("name=bolt").post("/api/probes/widgets").then().statusCode(415)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/unsupported-media-type"));
    }

    @Test
    void oversizedBodyIs413Problem() {
        String big = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"quantity\":1}";
        given().contentType(ContentType.JSON).body(big).post("/api/probes/widgets").then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/payload-too-large"));
    }

    @Test
    void unknownPathAndMethodAreProblems() {
        given().get("/api/nothing-here").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/not-found"));
        given().delete("/api/probes/public").then().statusCode(405).contentType("application/problem+json");
    }

    @Test
    void domainConflictIs409Problem() {
        given().get("/api/probes/conflict").then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/conflict"))
                .body("detail", equalTo("widget already exists"));
    }

    @Test
    void unexpectedErrorIs500WithoutInternals() {
        String body = given().get("/api/probes/boom").then().statusCode(500)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/internal"))
                .body("errors", nullValue())
                .extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(body.contains("hunter2"), body);
        org.junit.jupiter.api.Assertions.assertFalse(body.contains("IllegalStateException"), body);
        org.junit.jupiter.api.Assertions.assertFalse(body.contains("dev.strata"), body);
    }
}
