package dev.strata.kyc;

import static dev.strata.kyc.KycFlows.auth;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StorageGatewayResource;

/**
 * The whole journey over HTTP against real PostgreSQL, Redis, S3 and a real storage-gateway process: create, fill,
 * upload four real files with the presigned POSTs, submit, a reviewer claims and approves; the owner sees it, a
 * stranger sees nothing, history and events tell every step.
 */
@QuarkusTest
@WithTestResource(value = StorageGatewayResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class KycJourneyTest {

    @Inject
    SessionStore sessions;
    @Inject
    RedisDataSource redis;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "strata.internal.token")
    String serviceToken;

    @Test
    void applicantToApprovalAndWhoMaySeeIt() throws Exception {
        TestSessions.Minted owner = TestSessions.mint(sessions, "user");
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        TestSessions.Minted stranger = TestSessions.mint(sessions, "user");

        Response created = given().header("Authorization", auth(owner.token())).contentType("application/json")
                .body("{\"applicantType\":\"individual\"}").post("/api/kyc/applications");
        created.then().statusCode(201).body("status", equalTo("draft")).body("userId", equalTo(owner.userId()))
                .header("Location", org.hamcrest.Matchers.endsWith("/api/kyc/applications/" + created.path("id")));
        String id = created.path("id");
        KycFlows.fill(owner.token(), id);

        // four real files through presigned POSTs, each verified by the gateway on completion
        Map<String, byte[]> uploaded = new java.util.HashMap<>();
        Map<String, String> docIds = new java.util.HashMap<>();
        for (KycFlows.Doc d : KycFlows.documentSet()) {
            docIds.put(d.type(), KycFlows.addDocument(owner.token(), id, d));
            uploaded.put(d.type(), d.bytes());
        }
        given().header("Authorization", auth(owner.token())).get("/api/kyc/applications/" + id + "/documents")
                .then().statusCode(200).body("", hasSize(4)).body("uploaded", everyItem(equalTo(true)));
        String frontSha = given().header("Authorization", auth(owner.token()))
                .get("/api/kyc/applications/" + id).then().statusCode(200)
                .extract().path("documents.find { it.documentType == 'id_front' }.sha256");
        assertEquals(KycFlows.sha256(uploaded.get("id_front")), frontSha);

        given().header("Authorization", auth(owner.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(200).body("status", equalTo("submitted")).body("submittedAt", notNullValue());

        // the reviewer finds it in the queue, claims it and approves
        List<String> queued = new ArrayList<>();
        String cursor = null;
        do {
            Response page = given().header("Authorization", auth(reviewer.token())).queryParam("status", "submitted")
                    .queryParam("limit", 50).queryParam("cursor", cursor == null ? "" : cursor).get("/api/kyc/reviews");
            page.then().statusCode(200);
            queued.addAll(page.path("items.id"));
            cursor = page.path("nextCursor");
        } while (cursor != null);
        assertTrue(queued.contains(id), "the submitted application is in the reviewer queue");

        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/reviews/" + id + "/claim")
                .then().statusCode(200).body("status", equalTo("under_review"))
                .body("assignedTo", equalTo(reviewer.userId()))
                // staff see the identity number in full
                .body("nationalIdNumber", equalTo("L01X00T471"));
        given().header("Authorization", auth(reviewer.token())).contentType("application/json")
                .body("{\"decision\":\"approved\",\"reasonCodes\":[\"DOCUMENTS_VERIFIED\"],\"note\":\"all good\"}")
                .post("/api/kyc/reviews/" + id + "/decision")
                .then().statusCode(200).body("status", equalTo("approved")).body("expiresAt", notNullValue())
                .body("reviewerId", equalTo(reviewer.userId()));

        // the owner sees approved, masked identity number
        given().header("Authorization", auth(owner.token())).get("/api/kyc/applications/" + id).then()
                .statusCode(200).body("status", equalTo("approved")).body("nationalIdNumber", equalTo("******T471"))
                .body("reasonCodes", contains("DOCUMENTS_VERIFIED"));
        given().header("Authorization", auth(owner.token())).get("/api/kyc/status").then().statusCode(200)
                .body("status", equalTo("approved")).body("applicationId", equalTo(id));
        given().header("Authorization", "Bearer " + serviceToken)
                .get("/internal/kyc/users/" + owner.userId() + "/status").then().statusCode(200)
                .body("status", equalTo("approved"));

        // the owner and the reviewer download the very bytes uploaded
        for (TestSessions.Minted who : List.of(owner, reviewer)) {
            String url = given().header("Authorization", auth(who.token()))
                    .get("/api/kyc/applications/" + id + "/documents/" + docIds.get("proof_of_address") + "/download-url")
                    .then().statusCode(200).extract().path("url");
            HttpResponse<byte[]> file = KycFlows.get(url);
            assertEquals(200, file.statusCode());
            assertArrayEquals(uploaded.get("proof_of_address"), file.body());
        }

        // a stranger learns nothing: the application, its documents, its history are all 404
        given().header("Authorization", auth(stranger.token())).get("/api/kyc/applications/" + id).then()
                .statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/not-found"));
        given().header("Authorization", auth(stranger.token()))
                .get("/api/kyc/applications/" + id + "/documents/" + docIds.get("id_front") + "/download-url")
                .then().statusCode(404).body("url", org.hamcrest.Matchers.nullValue());
        given().header("Authorization", auth(stranger.token())).get("/api/kyc/applications/" + id + "/history")
                .then().statusCode(404);
        given().header("Authorization", auth(stranger.token())).get("/api/kyc/applications/" + id + "/documents")
                .then().statusCode(404);

        // history: every transition, who and when, in order
        Response history = given().header("Authorization", auth(owner.token()))
                .get("/api/kyc/applications/" + id + "/history");
        history.then().statusCode(200).body("toStatus", contains("draft", "submitted", "under_review", "approved"))
                .body("at", everyItem(notNullValue()));
        assertEquals(List.of(owner.userId(), owner.userId(), reviewer.userId(), reviewer.userId()),
                history.path("changedBy"));

        // events reached the durable stream, with the documented envelope data
        List<JsonNode> events = streamEventsFor(id);
        List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
        assertEquals(List.of("kyc.submitted", "kyc.under_review", "kyc.approved"), types);
        JsonNode approved = events.get(2);
        assertEquals(owner.userId(), approved.path("subject").asText());
        assertEquals(id, approved.path("data").path("applicationId").asText());
        assertEquals("under_review", approved.path("data").path("fromStatus").asText());
        assertEquals("approved", approved.path("data").path("toStatus").asText());
        assertEquals("DOCUMENTS_VERIFIED", approved.path("data").path("reasonCodes").path(0).asText());
    }

    /** Envelopes on strata:events:kyc for one application, in stream order (polled: the relay runs after commit). */
    List<JsonNode> streamEventsFor(String applicationId) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<JsonNode> found;
        do {
            found = new ArrayList<>();
            var entries = redis.stream(String.class).xrange("strata:events:kyc",
                    io.quarkus.redis.datasource.stream.StreamRange.of("-", "+"));
            for (var m : entries) {
                JsonNode e = json.readTree(m.payload().get("envelope"));
                if (applicationId.equals(e.path("data").path("applicationId").asText())) {
                    found.add(e);
                }
            }
            if (found.size() >= 3) {
                return found;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return found;
    }
}
