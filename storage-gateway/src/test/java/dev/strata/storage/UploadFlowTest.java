package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import dev.strata.storage.service.S3Clients;

import org.junit.jupiter.api.Test;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.messages.Item;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.strata.platform.security.SessionStore;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

/** The public upload flow, with every presigned URL used for real against S3Proxy. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class UploadFlowTest {

    static final String BUCKET = "user-uploads";

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    MinioClient s3;

    @org.junit.jupiter.api.BeforeEach
    void client() {
        s3 = clients.internal();
    }

    static JsonPath requestUpload(String token, String name, String type, long size) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("fileName", name, "contentType", type, "size", size))
                .post("/api/uploads").then().statusCode(201).extract().jsonPath();
    }

    static HttpResponse<String> upload(JsonPath ticket, String type, byte[] bytes) throws Exception {
        Map<String, Object> fields = ticket.getMap("upload.fields");
        return S3Http.postForm(ticket.getString("upload.url"), fields, "f", type, bytes);
    }

    List<String> keysUnder(String bucket, String prefix) throws Exception {
        List<String> keys = new java.util.ArrayList<>();
        for (Result<Item> r : s3.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
            keys.add(r.get().objectName());
        }
        return keys;
    }

    @Test
    void uploadThenDownloadReturnsTheSameBytes() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] pdf = Files.pdf(20_000);
        JsonPath ticket = requestUpload(alice.token(), "My Report.pdf", "application/pdf", pdf.length);
        String id = ticket.getString("uploadId");
        assertEquals(alice.userId() + "/temp/" + id + "/My_Report.pdf", ticket.getString("key"));
        HttpResponse<String> up = upload(ticket, "application/pdf", pdf);
        assertTrue(up.statusCode() / 100 == 2, () -> "upload refused: " + up.statusCode() + " " + up.body());

        given().auth().oauth2(alice.token()).post("/api/uploads/" + id + "/complete").then().statusCode(200)
                .body("contentType", equalTo("application/pdf")).body("size", equalTo(pdf.length));

        String url = given().auth().oauth2(alice.token()).get("/api/uploads/" + id + "/download-url").then()
                .statusCode(200).body("method", equalTo("GET")).extract().path("url");
        HttpResponse<byte[]> down = S3Http.get(url);
        assertEquals(200, down.statusCode());
        assertArrayEquals(pdf, down.body());
        assertEquals("attachment; filename=\"My_Report.pdf\"",
                down.headers().firstValue("Content-Disposition").orElse(null));

        given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("strata_storage_presigns_total{bucket=\"user-uploads\",operation=\"upload\""))
                .body(org.hamcrest.Matchers.containsString("strata_storage_completions_total{outcome=\"accepted\""));
    }

    @Test
    void aTamperedUrlIsRefusedByS3() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(5000);
        JsonPath ticket = requestUpload(alice.token(), "a.png", "image/png", png.length);
        upload(ticket, "image/png", png);
        String url = given().auth().oauth2(alice.token()).get("/api/uploads/" + ticket.getString("uploadId")
                + "/download-url").then().statusCode(200).extract().path("url");
        assertEquals(200, S3Http.get(url).statusCode());
        // another object's key under the same signature
        String otherKey = url.replace("/a.png?", "/b.png?");
        assertEquals(403, S3Http.get(otherKey).statusCode());
        // a longer life than was signed
        String longer = url.replaceFirst("X-Amz-Expires=\\d+", "X-Amz-Expires=604800");
        assertEquals(403, S3Http.get(longer).statusCode());
        // a forged signature
        String sig = url.replaceFirst("X-Amz-Signature=[0-9a-f]", "X-Amz-Signature=" + (url.contains("X-Amz-Signature=0") ? "1" : "0"));
        assertEquals(403, S3Http.get(sig).statusCode());
    }

    @Test
    void aSecondUserGetsNotFoundAndNoUrl() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        TestSessions.Minted mallory = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(3000);
        JsonPath ticket = requestUpload(alice.token(), "secret.png", "image/png", png.length);
        upload(ticket, "image/png", png);
        String id = ticket.getString("uploadId");
        given().auth().oauth2(mallory.token()).get("/api/uploads/" + id + "/download-url").then().statusCode(404)
                .contentType("application/problem+json").body("url", org.hamcrest.Matchers.nullValue());
        given().auth().oauth2(mallory.token()).post("/api/uploads/" + id + "/complete").then().statusCode(404);
        given().get("/api/uploads/" + id + "/download-url").then().statusCode(401);
        given().auth().oauth2(alice.token()).get("/api/uploads/not-a-uuid/download-url").then().statusCode(404);
        // alice's object is untouched by mallory's attempts
        assertEquals(1, keysUnder(BUCKET, alice.userId() + "/").size());
    }

    @Test
    void contentThatIsNotTheDeclaredTypeIsRejectedAndDeleted() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] html = Files.html(4000);
        JsonPath ticket = requestUpload(alice.token(), "cat.png", "image/png", html.length);
        HttpResponse<String> up = upload(ticket, "image/png", html);
        assertTrue(up.statusCode() / 100 == 2, () -> "upload refused: " + up.statusCode());
        given().auth().oauth2(alice.token()).post("/api/uploads/" + ticket.getString("uploadId") + "/complete").then()
                .statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/storage/content-rejected"));
        assertEquals(List.of(), keysUnder(BUCKET, alice.userId() + "/"));
        given().auth().oauth2(alice.token()).get("/api/uploads/" + ticket.getString("uploadId") + "/download-url")
                .then().statusCode(404);
    }

    @Test
    void aFileOverTheSizeLimitIsRefused() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        // test max size is 64 KiB (src/test/resources/application.properties)
        byte[] big = Files.png(70_000);
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("fileName", "big.png", "contentType", "image/png", "size", big.length))
                .post("/api/uploads").then().statusCode(400).body("errors.field", hasItem("size"));
        // lying about the size: the policy's content-length-range (or completion) stops it
        JsonPath ticket = requestUpload(alice.token(), "big.png", "image/png", 60_000);
        HttpResponse<String> up = upload(ticket, "image/png", big);
        // within the bucket's limit but over the declared size
        JsonPath small = requestUpload(alice.token(), "small.png", "image/png", 1000);
        HttpResponse<String> tooBigForTicket = upload(small, "image/png", Files.png(1001));
        if (dev.strata.testing.StrataServers.shared().embeddedS3().isPresent()) {
            // S3Proxy enforces POST policy conditions (EntityTooLarge)
            assertEquals(400, tooBigForTicket.statusCode());
        } else if (tooBigForTicket.statusCode() / 100 == 2) {
            s3.removeObject(io.minio.RemoveObjectArgs.builder().bucket(BUCKET).object(small.getString("key")).build());
        }
        if (up.statusCode() / 100 == 2) {
            given().auth().oauth2(alice.token()).post("/api/uploads/" + ticket.getString("uploadId") + "/complete")
                    .then().statusCode(422);
        } else {
            assertTrue(up.statusCode() == 400 || up.statusCode() == 403, () -> "unexpected " + up.statusCode());
        }
        assertEquals(List.of(), keysUnder(BUCKET, alice.userId() + "/"));
    }

    @Test
    void aFormAlteredToAnotherTypeIsRefused() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        // a type that is not allowed at all, and an allowed one that is not the declared one
        for (Map.Entry<String, byte[]> altered : Map.of("text/html", Files.html(500), "application/pdf",
                Files.pdf(500)).entrySet()) {
            JsonPath ticket = requestUpload(alice.token(), "page.png", "image/png", 500);
            assertTrue(ticket.getString("key").endsWith("/page.png"));
            Map<String, Object> fields = new java.util.LinkedHashMap<>(ticket.getMap("upload.fields"));
            fields.put("Content-Type", altered.getKey());
            HttpResponse<String> up = S3Http.postForm(ticket.getString("upload.url"), fields, "page",
                    altered.getKey(), altered.getValue());
            if (up.statusCode() / 100 == 2) {
                // the backend does not enforce POST policy conditions: the gateway does
                given().auth().oauth2(alice.token()).get("/api/uploads/" + ticket.getString("uploadId")
                        + "/download-url").then().statusCode(422);
                given().auth().oauth2(alice.token()).post("/api/uploads/" + ticket.getString("uploadId")
                        + "/complete").then().statusCode(404);
            } else {
                assertEquals(403, up.statusCode());
            }
            assertEquals(List.of(), keysUnder(BUCKET, alice.userId() + "/"));
        }
    }

    @Test
    void badRequestsWriteNothing() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("fileName", "x.exe", "contentType", "application/x-msdownload", "size", 10))
                .post("/api/uploads").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("contentType"));
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(Map.of("fileName", "x.png"))
                .post("/api/uploads").then().statusCode(400).body("errors.field", hasItem("size"));
        given().contentType(ContentType.JSON)
                .body(Map.of("fileName", "x.png", "contentType", "image/png", "size", 10))
                .post("/api/uploads").then().statusCode(401);
        given().auth().oauth2(alice.token()).post("/api/uploads/" + java.util.UUID.randomUUID() + "/complete").then()
                .statusCode(404);
        assertEquals(List.of(), keysUnder(BUCKET, alice.userId() + "/"));
    }

    @Test
    void theStoredObjectHasTheDeclaredType() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(2000);
        JsonPath ticket = requestUpload(alice.token(), "t.png", "image/png", png.length);
        upload(ticket, "image/png", png);
        assertEquals("image/png", s3.statObject(StatObjectArgs.builder().bucket(BUCKET)
                .object(ticket.getString("key")).build()).contentType());
    }
}
