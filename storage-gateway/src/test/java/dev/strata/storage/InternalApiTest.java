package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.minio.ListObjectsArgs;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import dev.strata.platform.security.SessionStore;
import dev.strata.storage.service.S3Clients;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

/** /internal/objects: only with the service credential, and every URL it hands out used for real. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InternalApiTest {

    static final String TOKEN = "test-internal-token-0123456789";

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    static RequestSpecification internal() {
        return given().auth().oauth2(TOKEN);
    }

    List<String> keys(String bucket, String prefix) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> r : clients.internal().listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                .recursive(true).build())) {
            keys.add(r.get().objectName());
        }
        return keys;
    }

    @Test
    void refusesCallersWithoutTheServiceCredential() {
        given().get("/internal/objects/stat?bucket=kyc-documents&key=a/b").then().statusCode(401)
                .contentType("application/problem+json");
        given().auth().oauth2(TOKEN + "x").delete("/internal/objects?bucket=kyc-documents&key=a/b").then()
                .statusCode(401);
        TestSessions.Minted user = TestSessions.mint(sessions, "admin");
        // a user session is not a service credential
        given().auth().oauth2(user.token()).contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", "a/b", "contentType", "image/png"))
                .post("/internal/objects/upload-url").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("sourceBucket", "user-uploads", "sourceKey", "a/b",
                "targetBucket", "kyc-documents", "targetKey", "c/d")).post("/internal/objects/copy").then()
                .statusCode(401);
        internal().get("/internal/objects/stat?bucket=kyc-documents&key=nothing/here").then().statusCode(404);
    }

    @Test
    void presignedUploadStatDownloadAndIdempotentDelete() throws Exception {
        String key = "app-" + UUID.randomUUID() + "/passport/" + UUID.randomUUID();
        byte[] png = Files.png(12_345);
        JsonPath post = internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", key, "contentType", "image/png"))
                .post("/internal/objects/upload-url").then().statusCode(200).extract().jsonPath();
        Map<String, Object> fields = post.getMap("fields");
        HttpResponse<String> up = S3Http.postForm(post.getString("url"), fields, "p.png", "image/png", png);
        assertTrue(up.statusCode() / 100 == 2, () -> up.statusCode() + " " + up.body());

        internal().queryParam("bucket", "kyc-documents").queryParam("key", key).get("/internal/objects/stat").then()
                .statusCode(200).body("size", equalTo(png.length)).body("contentType", equalTo("image/png"));

        String url = internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", key, "fileName", "passport front.png"))
                .post("/internal/objects/download-url").then().statusCode(200).extract().path("url");
        HttpResponse<byte[]> down = S3Http.get(url);
        assertEquals(200, down.statusCode());
        assertArrayEquals(png, down.body());
        assertEquals("attachment; filename=\"passport_front.png\"",
                down.headers().firstValue("Content-Disposition").orElse(null));

        internal().queryParam("bucket", "kyc-documents").queryParam("key", key).delete("/internal/objects").then()
                .statusCode(204);
        internal().queryParam("bucket", "kyc-documents").queryParam("key", key).delete("/internal/objects").then()
                .statusCode(204);
        assertEquals(List.of(), keys("kyc-documents", key));
        internal().queryParam("bucket", "kyc-documents").queryParam("key", key).get("/internal/objects/stat").then()
                .statusCode(404);
    }

    @Test
    void anExpiredUrlIsRefusedByS3() throws Exception {
        String key = "app-" + UUID.randomUUID() + "/selfie/" + UUID.randomUUID();
        clients.internal().putObject(io.minio.PutObjectArgs.builder().bucket("kyc-documents").object(key)
                .stream(new java.io.ByteArrayInputStream(Files.png(100)), 100, -1).contentType("image/png").build());
        String url = internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", key, "expirySeconds", 1))
                .post("/internal/objects/download-url").then().statusCode(200).extract().path("url");
        Thread.sleep(2_500);
        HttpResponse<byte[]> late = S3Http.get(url);
        assertEquals(403, late.statusCode());
        internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", key, "expirySeconds", 901))
                .post("/internal/objects/download-url").then().statusCode(400)
                .body("errors.field", hasItem("expirySeconds"));
    }

    @Test
    void unsafeKeysAndUnknownBucketsAreRefusedAndNothingIsWritten() throws Exception {
        String prefix = "unsafe-" + UUID.randomUUID();
        for (String key : List.of("../" + prefix + "/x", prefix + "/../x", prefix + "/./x", prefix + "/a\u0001b",
                "/" + prefix + "/x", prefix + "//x", prefix + "/" + "n".repeat(2000), prefix + "/a b")) {
            internal().contentType(ContentType.JSON)
                    .body(Map.of("bucket", "kyc-documents", "key", key, "contentType", "image/png"))
                    .post("/internal/objects/upload-url").then().statusCode(400)
                    .contentType("application/problem+json");
            internal().contentType(ContentType.JSON).body(Map.of("sourceBucket", "user-uploads", "sourceKey", key,
                    "targetBucket", "kyc-documents", "targetKey", key)).post("/internal/objects/copy").then()
                    .statusCode(400);
        }
        internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "secrets", "key", prefix + "/x", "contentType", "image/png"))
                .post("/internal/objects/upload-url").then().statusCode(400).body("errors.field", hasItem("bucket"));
        internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", prefix + "/x", "contentType", "text/html"))
                .post("/internal/objects/upload-url").then().statusCode(400).body("errors.field", hasItem("contentType"));
        internal().contentType(ContentType.JSON).body(Map.of("key", prefix + "/x"))
                .post("/internal/objects/upload-url").then().statusCode(400).body("errors.field", hasItem("bucket"));
        assertEquals(List.of(), keys("kyc-documents", prefix));
        assertEquals(List.of(), keys("kyc-documents", "unsafe"));
    }

    @Test
    void userUploadsAreOnlyTouchedOnBehalfOfTheirUploader() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        TestSessions.Minted bob = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(300);
        JsonPath ticket = UploadFlowTest.requestUpload(alice.token(), "me.png", "image/png", png.length);
        UploadFlowTest.upload(ticket, "image/png", png);
        String key = ticket.getString("key");

        // without an acting user: refused, whatever the operation
        internal().queryParam("bucket", "user-uploads").queryParam("key", key).get("/internal/objects/stat").then()
                .statusCode(400).body("errors.field", hasItem("userId"));
        internal().queryParam("bucket", "user-uploads").queryParam("key", key).delete("/internal/objects").then()
                .statusCode(400);
        internal().contentType(ContentType.JSON).body(Map.of("bucket", "user-uploads", "key", key))
                .post("/internal/objects/download-url").then().statusCode(400).body("errors.field", hasItem("userId"));
        // on behalf of someone else: as if it did not exist, and it stays
        internal().queryParam("bucket", "user-uploads").queryParam("key", key).queryParam("userId", bob.userId())
                .delete("/internal/objects").then().statusCode(404);
        internal().queryParam("bucket", "user-uploads").queryParam("key", key).queryParam("userId", bob.userId())
                .get("/internal/objects/stat").then().statusCode(404);
        assertEquals(List.of(key), keys("user-uploads", key));
        // the uploader's own
        internal().queryParam("bucket", "user-uploads").queryParam("key", key).queryParam("userId", alice.userId())
                .get("/internal/objects/stat").then().statusCode(200).body("size", equalTo(png.length));
        internal().queryParam("bucket", "user-uploads").queryParam("key", key).queryParam("userId", alice.userId())
                .delete("/internal/objects").then().statusCode(204);
        assertEquals(List.of(), keys("user-uploads", key));
    }

    @Test
    void copyPromotesAVerifiedTempUploadOfThatUserOnly() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        TestSessions.Minted bob = TestSessions.mint(sessions, "user");
        byte[] pdf = Files.pdf(8000);
        JsonPath ticket = UploadFlowTest.requestUpload(alice.token(), "id card.pdf", "application/pdf", pdf.length);
        UploadFlowTest.upload(ticket, "application/pdf", pdf);
        String source = ticket.getString("key");
        String target = "app-" + UUID.randomUUID() + "/id-card/" + UUID.randomUUID();
        Map<String, Object> copy = new HashMap<>(Map.of("sourceBucket", "user-uploads", "sourceKey", source,
                "targetBucket", "kyc-documents", "targetKey", target, "userId", bob.userId()));
        internal().contentType(ContentType.JSON).body(copy).post("/internal/objects/copy").then().statusCode(404);
        assertEquals(List.of(), keys("kyc-documents", target));

        copy.put("userId", alice.userId());
        internal().contentType(ContentType.JSON).body(copy).post("/internal/objects/copy").then().statusCode(200)
                .body("key", equalTo(target)).body("size", equalTo(pdf.length));
        HttpResponse<byte[]> down = S3Http.get(internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", target)).post("/internal/objects/download-url").then()
                .statusCode(200).extract().path("url"));
        assertArrayEquals(pdf, down.body());

        // a file that is not what it says is never promoted
        byte[] fake = Files.html(500);
        JsonPath bad = UploadFlowTest.requestUpload(alice.token(), "fake.pdf", "application/pdf", fake.length);
        UploadFlowTest.upload(bad, "application/pdf", fake);
        String badTarget = "app-" + UUID.randomUUID() + "/id-card/" + UUID.randomUUID();
        internal().contentType(ContentType.JSON).body(Map.of("sourceBucket", "user-uploads", "sourceKey",
                bad.getString("key"), "targetBucket", "kyc-documents", "targetKey", badTarget, "userId",
                alice.userId())).post("/internal/objects/copy").then().statusCode(422);
        assertEquals(List.of(), keys("kyc-documents", badTarget));
    }
}
