package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
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
import io.quarkus.test.common.http.TestHTTPResource;
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

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

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

        given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200)
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

    boolean exists(String key) throws Exception {
        try {
            s3.statObject(StatObjectArgs.builder().bucket(BUCKET).object(key).build());
            return true;
        } catch (io.minio.errors.ErrorResponseException e) {
            if (e.errorResponse() != null && "NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw e;
        }
    }

    /** S3's XML error code, e.g. {@code <Code>EntityTooLarge</Code>}. */
    static String s3ErrorCode(HttpResponse<String> r) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<Code>([^<]+)</Code>").matcher(r.body());
        return m.find() ? m.group(1) : "(no code) " + r.body();
    }

    @Test
    void aFileOverTheSizeLimitIsRefused() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        // test max size is 64 KiB (src/test/resources/application.properties)
        byte[] big = Files.png(70_000);
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("fileName", "big.png", "contentType", "image/png", "size", big.length))
                .post("/api/uploads").then().statusCode(400).body("errors.field", hasItem("size"));

        // lying about the size: over the bucket's limit, and (below) within it but over the declared size; the
        // policy's content-length-range makes S3 refuse both, and nothing is stored
        JsonPath ticket = requestUpload(alice.token(), "big.png", "image/png", 60_000);
        HttpResponse<String> up = upload(ticket, "image/png", big);
        assertEquals(400, up.statusCode(), up::body);
        assertEquals("EntityTooLarge", s3ErrorCode(up));
        assertTrue(!exists(ticket.getString("key")));

        JsonPath small = requestUpload(alice.token(), "small.png", "image/png", 1000);
        HttpResponse<String> oneByteOver = upload(small, "image/png", Files.png(1001));
        assertEquals(400, oneByteOver.statusCode(), oneByteOver::body);
        assertEquals("EntityTooLarge", s3ErrorCode(oneByteOver));
        assertTrue(!exists(small.getString("key")));
        assertEquals(List.of(), keysUnder(BUCKET, alice.userId() + "/"));

        // positive control: the same form with exactly the declared size is accepted and stored
        byte[] exact = Files.png(1000);
        HttpResponse<String> ok = upload(small, "image/png", exact);
        assertEquals(204, ok.statusCode(), ok::body);
        assertEquals(List.of(small.getString("key")), keysUnder(BUCKET, alice.userId() + "/"));
        assertEquals(1000L, s3.statObject(StatObjectArgs.builder().bucket(BUCKET).object(small.getString("key"))
                .build()).size());
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
            // S3Proxy checks the policy's Content-Type condition
            assertEquals(403, up.statusCode(), up::body);
            assertEquals("AccessDenied", s3ErrorCode(up));
            assertTrue(!exists(ticket.getString("key")), altered.getKey());
            assertEquals(List.of(), keysUnder(BUCKET, alice.userId() + "/"));
            given().auth().oauth2(alice.token()).post("/api/uploads/" + ticket.getString("uploadId") + "/complete")
                    .then().statusCode(404);

            // positive control: the unaltered form is accepted
            HttpResponse<String> ok = upload(ticket, "image/png", Files.png(500));
            assertEquals(204, ok.statusCode(), ok::body);
            assertEquals("image/png", s3.statObject(StatObjectArgs.builder().bucket(BUCKET)
                    .object(ticket.getString("key")).build()).contentType());
            s3.removeObject(io.minio.RemoveObjectArgs.builder().bucket(BUCKET).object(ticket.getString("key")).build());
        }
    }

    @Test
    void aCompletedUploadCannotBeReplacedByReplayingItsForm() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] original = Files.png(3000);
        JsonPath ticket = requestUpload(alice.token(), "id.png", "image/png", original.length);
        String id = ticket.getString("uploadId");
        Map<String, Object> form = ticket.getMap("upload.fields");
        assertEquals(204, dev.strata.testing.BrowserForms.post(ticket.getString("upload.url"), form, "id.png",
                "image/png", original).statusCode());
        String done = alice.userId() + "/done/" + id + "/id.png";
        given().auth().oauth2(alice.token()).post("/api/uploads/" + id + "/complete").then().statusCode(200)
                .body("key", equalTo(done)).body("size", equalTo(original.length));
        // moved: the key the form can write is empty again
        assertEquals(List.of(done), keysUnder(BUCKET, alice.userId() + "/"));

        // the same form again (its policy is still valid), with other bytes of the same size and type
        byte[] replay = Files.png(3000);
        replay[replay.length - 1] ^= 0x5a;
        replay[replay.length - 2] ^= 0x5a;
        HttpResponse<String> again = dev.strata.testing.BrowserForms.post(ticket.getString("upload.url"), form,
                "id.png", "image/png", replay);
        assertEquals(204, again.statusCode(), again::body);
        assertTrue(exists(ticket.getString("key")), "the replay landed on the temp key");

        // what is downloaded is still the original
        String url = given().auth().oauth2(alice.token()).get("/api/uploads/" + id + "/download-url").then()
                .statusCode(200).extract().path("url");
        assertArrayEquals(original, S3Http.get(url).body());
        // a second complete does not take the replayed object: 409, and it is discarded
        given().auth().oauth2(alice.token()).post("/api/uploads/" + id + "/complete").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/storage/upload-already-completed"));
        assertEquals(List.of(done), keysUnder(BUCKET, alice.userId() + "/"));
        String url2 = given().auth().oauth2(alice.token()).get("/api/uploads/" + id + "/download-url").then()
                .statusCode(200).extract().path("url");
        assertArrayEquals(original, S3Http.get(url2).body());
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
