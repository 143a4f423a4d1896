package dev.strata.kyc;

import static dev.strata.kyc.KycFlows.auth;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StorageGatewayResource;

/** Bad input is a 4xx problem naming the field and writes nothing; callers without the right get 401/403/404. */
@QuarkusTest
@WithTestResource(value = StorageGatewayResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class KycInputTest {

    @Inject
    SessionStore sessions;
    @Inject
    Pool pool;

    TestSessions.Minted user;

    @BeforeEach
    void mint() {
        user = TestSessions.mint(sessions, "user");
    }

    long rows(String table) {
        return pool.query("select count(*) from kyc." + table).execute().await().atMost(Duration.ofSeconds(5))
                .iterator().next().getLong(0);
    }

    @Test
    void badApplicationBodiesAre400WithTheFieldAndWriteNothing() {
        long before = rows("kyc_applications");
        Map<String, String> bodies = Map.of(
                "{}", "applicantType",
                "{\"applicantType\":\"robot\"}", "applicantType",
                "{\"applicantType\":\"individual\",\"nationality\":\"XX\"}", "nationality",
                "{\"applicantType\":\"individual\",\"residenceCountry\":\"Germany\"}", "residenceCountry",
                "{\"applicantType\":\"individual\",\"dateOfBirth\":\"1990-02-31\"}", "dateOfBirth",
                "{\"applicantType\":\"individual\",\"dateOfBirth\":\"2020-01-01\"}", "dateOfBirth",
                "{\"applicantType\":\"individual\",\"isAdmin\":true}", "isAdmin",
                "{\"applicantType\":\"individual\",\"legalName\":42}", "legalName",
                "{\"applicantType\":\"individual\",\"nationalIdNumber\":\"<script>\"}", "nationalIdNumber",
                "{\"applicantType\":\"individual\",\"address\":{\"line1\":\"x\",\"planet\":\"Mars\"}}", "address.planet");
        bodies.forEach((body, field) -> given().header("Authorization", auth(user.token()))
                .contentType("application/json").body(body).post("/api/kyc/applications")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/validation"))
                .body("errors.field", hasItem(field)));
        // not JSON at all, a JSON array, an empty body, the wrong media type
        for (String body : List.of("{not json", "[1,2]", "")) {
            given().header("Authorization", auth(user.token())).contentType("application/json").body(body)
                    .post("/api/kyc/applications").then().statusCode(400).contentType("application/problem+json");
        }
        given().header("Authorization", auth(user.token())).contentType("text/plain").body("hello")
                .post("/api/kyc/applications").then().statusCode(415).contentType("application/problem+json");
        assertEquals(before, rows("kyc_applications"));
    }

    @Test
    void badPatchChangesNothing() {
        String id = KycFlows.create(user.token());
        KycFlows.fill(user.token(), id);
        given().header("Authorization", auth(user.token())).contentType("application/merge-patch+json")
                .body("{\"legalName\":\"Grace Hopper\",\"nationality\":\"ZZ\"}").patch("/api/kyc/applications/" + id)
                .then().statusCode(400).body("errors.field", hasItem("nationality"));
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id).then()
                .body("legalName", equalTo("Ada Lovelace")).body("version", equalTo(1));
        // a valid merge patch: set one, clear one, keep the rest
        given().header("Authorization", auth(user.token())).contentType("application/merge-patch+json")
                .body("{\"legalName\":\"Grace Hopper\",\"address\":{\"line2\":\"Hof 2\",\"postalCode\":null}}")
                .patch("/api/kyc/applications/" + id).then().statusCode(200)
                .body("legalName", equalTo("Grace Hopper")).body("address.line1", equalTo("Unter den Linden 1"))
                .body("address.line2", equalTo("Hof 2")).body("address.postalCode", org.hamcrest.Matchers.nullValue())
                .body("nationality", equalTo("GB"));
    }

    @Test
    void badDocumentRequestsAre400AndWriteNothing() {
        String id = KycFlows.create(user.token());
        long before = rows("kyc_documents");
        List<Map<String, Object>> bodies = List.of(
                KycFlows.map("documentType", "passport_scan", "fileName", "a.png", "contentType", "image/png", "size", 10),
                KycFlows.map("documentType", "id_front", "fileName", "a.html", "contentType", "text/html", "size", 10),
                KycFlows.map("documentType", "id_front", "fileName", "a.png", "contentType", "image/png", "size", 0),
                KycFlows.map("documentType", "id_front", "fileName", "a.png", "contentType", "image/png",
                        "size", 50_000_000),
                KycFlows.map("documentType", "id_front", "fileName", "", "contentType", "image/png", "size", 10),
                KycFlows.map("documentType", "id_front", "fileName", "../..", "contentType", "image/png", "size", 10));
        for (Map<String, Object> b : bodies) {
            given().header("Authorization", auth(user.token())).contentType("application/json").body(b)
                    .post("/api/kyc/applications/" + id + "/documents").then().statusCode(400)
                    .contentType("application/problem+json").body("errors.size()", org.hamcrest.Matchers.greaterThan(0));
        }
        assertEquals(before, rows("kyc_documents"));
    }

    @Test
    void badReviewInputIs400() {
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        for (Map<String, Object> q : List.<Map<String, Object>>of(Map.of("status", "approved"), Map.of("limit", 0),
                Map.of("limit", 1000), Map.of("cursor", "bm90IGEgY3Vyc29y"), Map.of("limit", "ten"))) {
            given().header("Authorization", auth(reviewer.token())).queryParams(q).get("/api/kyc/reviews")
                    .then().statusCode(lessThan(500)).statusCode(400).contentType("application/problem+json");
        }
        String id = KycFlows.create(user.token());
        for (String body : List.of("{\"decision\":\"maybe\"}", "{\"decision\":\"rejected\"}",
                "{\"decision\":\"rejected\",\"reasonCodes\":[\"lower case\"]}", "{}")) {
            given().header("Authorization", auth(reviewer.token())).contentType("application/json").body(body)
                    .post("/api/kyc/reviews/" + id + "/decision").then().statusCode(400)
                    .contentType("application/problem+json");
        }
        // the draft was not touched
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id).then()
                .body("status", equalTo("draft"));
    }

    @Test
    void everyEndpointNeedsASessionAndTheRightRole() {
        String id = KycFlows.create(user.token());
        String any = java.util.UUID.randomUUID().toString();
        List<String[]> userEndpoints = List.of(new String[] {"POST", "/api/kyc/applications"},
                new String[] {"GET", "/api/kyc/applications"}, new String[] {"GET", "/api/kyc/applications/" + id},
                new String[] {"PATCH", "/api/kyc/applications/" + id}, new String[] {"DELETE", "/api/kyc/applications/" + id},
                new String[] {"POST", "/api/kyc/applications/" + id + "/submissions"},
                new String[] {"GET", "/api/kyc/applications/" + id + "/history"},
                new String[] {"POST", "/api/kyc/applications/" + id + "/documents"},
                new String[] {"POST", "/api/kyc/applications/" + id + "/documents/" + any + "/complete"},
                new String[] {"GET", "/api/kyc/applications/" + id + "/documents/" + any + "/download-url"},
                new String[] {"GET", "/api/kyc/status"}, new String[] {"GET", "/api/kyc/reviews"},
                new String[] {"POST", "/api/kyc/reviews/" + id + "/claim"},
                new String[] {"POST", "/api/kyc/reviews/" + id + "/decision"},
                new String[] {"POST", "/api/kyc/maintenance/expirations"},
                new String[] {"POST", "/api/kyc/maintenance/reconciliations"});
        for (String[] e : userEndpoints) {
            given().contentType("application/json").body("{}").request(e[0], e[1]).then().statusCode(401)
                    .contentType("application/problem+json");
            given().header("Authorization", "Bearer not-a-real-token").contentType("application/json").body("{}")
                    .request(e[0], e[1]).then().statusCode(401);
        }
        // a plain user is not a reviewer or an admin
        for (String[] e : List.of(new String[] {"GET", "/api/kyc/reviews"},
                new String[] {"POST", "/api/kyc/reviews/" + id + "/claim"},
                new String[] {"POST", "/api/kyc/maintenance/reconciliations"})) {
            given().header("Authorization", auth(user.token())).request(e[0], e[1]).then().statusCode(403)
                    .contentType("application/problem+json");
        }
        // a reviewer is not an admin
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/maintenance/expirations").then()
                .statusCode(403);
        // a reviewer may read, but not edit or withdraw someone's application
        given().header("Authorization", auth(reviewer.token())).contentType("application/json")
                .body("{\"legalName\":\"Mallory\"}").patch("/api/kyc/applications/" + id).then().statusCode(403);
        given().header("Authorization", auth(reviewer.token())).delete("/api/kyc/applications/" + id).then()
                .statusCode(403);
        // another user: 404 everywhere, even for writes
        TestSessions.Minted other = TestSessions.mint(sessions, "user");
        given().header("Authorization", auth(other.token())).contentType("application/json")
                .body("{\"legalName\":\"Mallory\"}").patch("/api/kyc/applications/" + id).then().statusCode(404);
        given().header("Authorization", auth(other.token())).delete("/api/kyc/applications/" + id).then()
                .statusCode(404);
        given().header("Authorization", auth(other.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(404);
        // malformed ids name nothing
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/not-a-uuid").then()
                .statusCode(404).contentType("application/problem+json");
        // internal status: the service credential only, never a user session
        given().get("/internal/kyc/users/" + user.userId() + "/status").then().statusCode(401);
        given().header("Authorization", auth(user.token())).get("/internal/kyc/users/" + user.userId() + "/status")
                .then().statusCode(401);
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id).then()
                .statusCode(200).body("status", equalTo("draft"));
    }
}
