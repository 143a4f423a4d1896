package dev.strata.kyc;

import static dev.strata.kyc.KycFlows.auth;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StorageGatewayResource;

/** The workflow's rules: transitions, completeness, one open application, and races decided by the database. */
@QuarkusTest
@WithTestResource(value = StorageGatewayResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class KycWorkflowTest {

    static final String INVALID_TRANSITION = "https://strata.dev/problems/kyc/invalid-transition";

    @Inject
    SessionStore sessions;

    @Test
    void submitNeedsFieldsAndTheDocumentSet() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        String id = KycFlows.create(user.token());
        given().header("Authorization", auth(user.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(422).body("type", equalTo("https://strata.dev/problems/kyc/incomplete"))
                .body("errors.field", hasItems("legalName", "dateOfBirth", "documents.id_front", "documents.id_back",
                        "documents.selfie", "documents.proof_of_address"));
        KycFlows.fill(user.token(), id);
        List<KycFlows.Doc> docs = KycFlows.documentSet();
        // requested but never uploaded is not enough
        KycFlows.requestDocument(user.token(), id, docs.get(0)).then().statusCode(201);
        given().header("Authorization", auth(user.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(422).body("errors.field", hasItems("documents.id_front"));
        // a passport needs no back side
        given().header("Authorization", auth(user.token())).contentType("application/json")
                .body("{\"idDocumentType\":\"passport\"}").patch("/api/kyc/applications/" + id).then().statusCode(200);
        KycFlows.addDocument(user.token(), id, docs.get(0));
        KycFlows.addDocument(user.token(), id, docs.get(2));
        KycFlows.addDocument(user.token(), id, docs.get(3));
        given().header("Authorization", auth(user.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(200).body("status", equalTo("submitted"));
        // submitted: no more edits, no second submission, no new documents, no withdrawal
        given().header("Authorization", auth(user.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(409).body("type", equalTo(INVALID_TRANSITION));
        given().header("Authorization", auth(user.token())).contentType("application/json")
                .body("{\"legalName\":\"X Y\"}").patch("/api/kyc/applications/" + id).then().statusCode(409)
                .body("type", equalTo("https://strata.dev/problems/kyc/not-editable"));
        KycFlows.requestDocument(user.token(), id, docs.get(1)).then().statusCode(409);
        given().header("Authorization", auth(user.token())).delete("/api/kyc/applications/" + id).then()
                .statusCode(409).body("type", equalTo("https://strata.dev/problems/kyc/retained"));
    }

    @Test
    void wrongContentIsRejectedAndForgotten() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        String id = KycFlows.create(user.token());
        // declared a PNG, uploads HTML of the same size: the gateway deletes it, the row goes too
        KycFlows.Doc fake = new KycFlows.Doc("selfie", "me.png", "image/png", KycFlows.html(900));
        var ticket = KycFlows.requestDocument(user.token(), id, fake);
        ticket.then().statusCode(201);
        assertEquals(2, KycFlows.postForm(ticket.path("upload.url"), ticket.path("upload.fields"), fake).statusCode() / 100);
        given().header("Authorization", auth(user.token()))
                .post("/api/kyc/applications/" + id + "/documents/" + ticket.path("documentId") + "/complete")
                .then().statusCode(422).body("type", equalTo("https://strata.dev/problems/kyc/document-rejected"));
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id + "/documents")
                .then().statusCode(200).body("size()", equalTo(0));
        // completing before uploading anything
        var ticket2 = KycFlows.requestDocument(user.token(), id, KycFlows.documentSet().get(0));
        given().header("Authorization", auth(user.token()))
                .post("/api/kyc/applications/" + id + "/documents/" + ticket2.path("documentId") + "/complete")
                .then().statusCode(409).body("type", equalTo("https://strata.dev/problems/kyc/upload-missing"));
    }

    @Test
    void decisionsFollowTheWorkflowAndResubmissionWorks() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        String id = KycFlows.create(user.token());
        // nothing to claim or decide in a draft
        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/reviews/" + id + "/claim").then()
                .statusCode(409).body("type", equalTo(INVALID_TRANSITION));
        given().header("Authorization", auth(user.token())).delete("/api/kyc/applications/" + id).then().statusCode(204);
        id = KycFlows.submitted(user.token());
        given().header("Authorization", auth(reviewer.token())).contentType("application/json")
                .body("{\"decision\":\"approved\"}").post("/api/kyc/reviews/" + id + "/decision").then()
                .statusCode(409).body("type", equalTo(INVALID_TRANSITION));
        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/reviews/" + id + "/claim").then()
                .statusCode(200);
        given().header("Authorization", auth(reviewer.token())).contentType("application/json")
                .body("{\"decision\":\"additional_info_required\",\"reasonCodes\":[\"ADDRESS_PROOF_TOO_OLD\"]}")
                .post("/api/kyc/reviews/" + id + "/decision").then().statusCode(200)
                .body("status", equalTo("additional_info_required"));
        // the applicant replaces the proof of address and resubmits
        KycFlows.addDocument(user.token(), id, new KycFlows.Doc("proof_of_address", "new-bill.pdf",
                "application/pdf", KycFlows.pdf(5000)));
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id + "/documents")
                .then().body("size()", equalTo(4))
                .body("find { it.documentType == 'proof_of_address' }.fileName", equalTo("new-bill.pdf"));
        given().header("Authorization", auth(user.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(200).body("status", equalTo("submitted")).body("assignedTo",
                        org.hamcrest.Matchers.nullValue());
        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/reviews/" + id + "/claim").then()
                .statusCode(200);
        given().header("Authorization", auth(reviewer.token())).contentType("application/json")
                .body("{\"decision\":\"rejected\",\"reasonCodes\":[\"SANCTIONS_MATCH\"],\"note\":\"list hit\"}")
                .post("/api/kyc/reviews/" + id + "/decision").then().statusCode(200).body("status", equalTo("rejected"));
        // rejected is final: no resubmission; a new application may be started
        given().header("Authorization", auth(user.token())).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(409);
        String second = KycFlows.create(user.token());
        given().header("Authorization", auth(user.token())).get("/api/kyc/status").then()
                .body("applicationId", equalTo(second)).body("status", equalTo("draft"));
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id + "/history").then()
                .body("toStatus", org.hamcrest.Matchers.contains("draft", "submitted", "under_review",
                        "additional_info_required", "submitted", "under_review", "rejected"));
    }

    @Test
    void reviewersNeverReviewTheirOwnApplication() throws Exception {
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        String id = KycFlows.submitted(reviewer.token());
        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/reviews/" + id + "/claim").then()
                .statusCode(403).body("type", equalTo("https://strata.dev/problems/kyc/own-application"));
        given().header("Authorization", auth(reviewer.token())).get("/api/kyc/applications/" + id).then()
                .body("status", equalTo("submitted"));
    }

    @Test
    void oneOpenApplicationPerUserEvenUnderConcurrency() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        List<Integer> codes = race(8, () -> given().header("Authorization", auth(user.token()))
                .contentType("application/json").body("{\"applicantType\":\"individual\"}")
                .post("/api/kyc/applications").statusCode());
        assertEquals(1, codes.stream().filter(c -> c == 201).count(), codes.toString());
        assertEquals(7, codes.stream().filter(c -> c == 409).count(), codes.toString());
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications").then()
                .body("size()", equalTo(1));
    }

    @Test
    void concurrentClaimsHaveOneWinner() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        String id = KycFlows.submitted(user.token());
        List<TestSessions.Minted> reviewers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            reviewers.add(TestSessions.mint(sessions, "user", "reviewer"));
        }
        List<Integer> codes = raceEach(reviewers, r -> given().header("Authorization", auth(r.token()))
                .post("/api/kyc/reviews/" + id + "/claim").statusCode());
        assertEquals(1, codes.stream().filter(c -> c == 200).count(), codes.toString());
        assertEquals(5, codes.stream().filter(c -> c == 409).count(), codes.toString());
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id + "/history").then()
                .body("toStatus", org.hamcrest.Matchers.contains("draft", "submitted", "under_review"));
    }

    @Test
    void concurrentDecisionsHaveOneWinner() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        String id = KycFlows.submitted(user.token());
        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/reviews/" + id + "/claim").then()
                .statusCode(200);
        // the assignee approves while an admin rejects, at the same moment, several times over
        List<String[]> attempts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            attempts.add(new String[] {reviewer.token(), "{\"decision\":\"approved\"}"});
            attempts.add(new String[] {admin.token(), "{\"decision\":\"rejected\",\"reasonCodes\":[\"FRAUD\"]}"});
        }
        List<Integer> codes = raceEach(attempts, a -> given().header("Authorization", auth(a[0]))
                .contentType("application/json").body(a[1]).post("/api/kyc/reviews/" + id + "/decision").statusCode());
        assertEquals(1, codes.stream().filter(c -> c == 200).count(), codes.toString());
        assertEquals(7, codes.stream().filter(c -> c == 409).count(), codes.toString());
        List<String> history = given().header("Authorization", auth(user.token()))
                .get("/api/kyc/applications/" + id + "/history").path("toStatus");
        assertEquals(4, history.size(), history.toString());
    }

    static <T> List<T> race(int n, Callable<T> call) throws Exception {
        List<Callable<T>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(call);
        }
        return run(calls);
    }

    static <A, T> List<T> raceEach(List<A> args, java.util.function.Function<A, T> call) throws Exception {
        List<Callable<T>> calls = new ArrayList<>();
        for (A a : args) {
            calls.add(() -> call.apply(a));
        }
        return run(calls);
    }

    static <T> List<T> run(List<Callable<T>> calls) throws Exception {
        return dev.strata.testing.Concurrently.run(calls);
    }
}
