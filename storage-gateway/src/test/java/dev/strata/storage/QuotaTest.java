package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.minio.ListObjectsArgs;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.storage.service.S3Clients;
import dev.strata.storage.service.UploadQuota;
import dev.strata.testing.StrataServersResource;

/**
 * Per-user quota over user-uploads (test profile: 10 uploads, 256 KiB per user), counting completed uploads and
 * pending tickets alike; a refusal is a 409 quota-exceeded problem and writes nothing.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class QuotaTest {

    static final String QUOTA_EXCEEDED = "https://strata.dev/problems/storage/quota-exceeded";

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    @Inject
    UploadQuota quota;

    static ValidatableResponse request(String token, long size) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("fileName", "q.png", "contentType", "image/png", "size", size))
                .post("/api/uploads").then();
    }

    List<String> keys(String userId) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> r : clients.internal().listObjects(ListObjectsArgs.builder().bucket("user-uploads")
                .prefix(userId + "/").recursive(true).build())) {
            keys.add(r.get().objectName());
        }
        return keys;
    }

    @Test
    void theUploadAfterTheLastAllowedOneIsRefusedAndWritesNothing() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        // one completed upload (an object in S3) ...
        byte[] png = Files.png(1000);
        var ticket = UploadFlowTest.requestUpload(alice.token(), "done.png", "image/png", png.length);
        assertEquals(204, UploadFlowTest.upload(ticket, "image/png", png).statusCode());
        given().auth().oauth2(alice.token()).post("/api/uploads/" + ticket.getString("uploadId") + "/complete")
                .then().statusCode(200);
        // ... and nine pending tickets (nothing uploaded yet) fill the ten allowed
        for (int i = 0; i < 9; i++) {
            request(alice.token(), 100).statusCode(201);
        }
        List<String> before = keys(alice.userId());
        long pendingBefore = quota.pendingCount(alice.userId());
        assertEquals(1, before.size());
        assertEquals(10, pendingBefore);

        request(alice.token(), 100).statusCode(409).contentType("application/problem+json")
                .body("type", equalTo(QUOTA_EXCEEDED)).body("status", equalTo(409))
                .body("detail", containsString("10"));
        assertEquals(before, keys(alice.userId()));
        assertEquals(pendingBefore, quota.pendingCount(alice.userId()), "a refused request reserves nothing");

        // another user is unaffected
        TestSessions.Minted bob = TestSessions.mint(sessions, "user");
        request(bob.token(), 100).statusCode(201);
        assertEquals(1, quota.pendingCount(bob.userId()));

        // deleting the completed object does not free its slot while its form is still usable (it could be
        // posted again): the ticket counts until its policy expires
        InternalApiTest.internal().queryParam("bucket", "user-uploads").queryParam("key", before.get(0))
                .queryParam("userId", alice.userId()).delete("/internal/objects").then().statusCode(204);
        request(alice.token(), 100).statusCode(409).body("type", equalTo(QUOTA_EXCEEDED));
        assertEquals(List.of(), keys(alice.userId()));
        assertEquals(pendingBefore, quota.pendingCount(alice.userId()));
    }

    @Test
    void bytesArePartOfTheQuota() throws Exception {
        TestSessions.Minted carol = TestSessions.mint(sessions, "user");
        // 4 × 64 KiB declared = the 256 KiB allowed
        for (int i = 0; i < 4; i++) {
            request(carol.token(), 65_536).statusCode(201);
        }
        request(carol.token(), 1).statusCode(409).contentType("application/problem+json")
                .body("type", equalTo(QUOTA_EXCEEDED)).body("detail", containsString("262144"));
        assertEquals(4, quota.pendingCount(carol.userId()));
        assertEquals(List.of(), keys(carol.userId()));
    }
}
