package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.imageio.ImageIO;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.minio.PutObjectArgs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.service.ObjectStore;
import dev.strata.storage.service.S3Clients;
import dev.strata.testing.StrataServersResource;

/**
 * The internal verify (exact size, type, magic bytes, SHA-256; a mismatch deletes the object) and list (pages in
 * key order with start-after) endpoints, and upload-url's maxSize, on real S3 through real presigned POSTs.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InternalVerifyListTest {

    static final String KYC = "kyc-documents";
    static final String REJECTED = "https://strata.dev/problems/storage/content-rejected";

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    @Inject
    ObjectStore store;

    static RequestSpecification internal() {
        return InternalApiTest.internal();
    }

    /** Asks for a POST policy and uploads through it like a browser; the S3 status code. */
    static int put(String key, String type, byte[] bytes, Long maxSize) throws Exception {
        Map<String, Object> body = new HashMap<>(Map.of("bucket", KYC, "key", key, "contentType", type));
        if (maxSize != null) {
            body.put("maxSize", maxSize);
        }
        JsonPath post = internal().contentType(ContentType.JSON).body(body).post("/internal/objects/upload-url")
                .then().statusCode(200).body("url", notNullValue()).body("expiresAt", notNullValue())
                .extract().jsonPath();
        HttpResponse<String> r = S3Http.postForm(post.getString("url"), post.getMap("fields"), "f", type, bytes);
        return r.statusCode();
    }

    static void putOk(String key, String type, byte[] bytes) throws Exception {
        int status = put(key, type, bytes, null);
        assertEquals(2, status / 100, "upload of " + key + " answered " + status);
    }

    static Response verify(String key, String type, Long size) {
        Map<String, Object> body = new HashMap<>(Map.of("bucket", KYC, "key", key));
        if (type != null) {
            body.put("contentType", type);
        }
        if (size != null) {
            body.put("size", size);
        }
        return internal().contentType(ContentType.JSON).body(body).post("/internal/objects/verify");
    }

    static int stat(String key) {
        return internal().queryParam("bucket", KYC).queryParam("key", key).get("/internal/objects/stat").statusCode();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A real PNG, encoded by ImageIO (noise, so it does not compress to nothing). */
    static byte[] realPng() throws Exception {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, 64, 48);
        g.dispose();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 300; i++) {
            img.setRGB(random.nextInt(64), random.nextInt(48), random.nextInt());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    /** A real (minimal, well-formed) one-page PDF. */
    static byte[] realPdf() {
        String body = """
                %PDF-1.4
                1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
                2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
                3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
                trailer << /Root 1 0 R >>
                %%EOF
                """;
        return body.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void verifyAcceptsRealFilesAndHashesExactlyTheirBytes() throws Exception {
        byte[] png = realPng();
        String pngKey = "verify-" + UUID.randomUUID() + "/id_front/" + UUID.randomUUID();
        assertEquals(2, put(pngKey, "image/png", png, (long) png.length) / 100);
        verify(pngKey, "image/png", (long) png.length).then().statusCode(200)
                .body("bucket", equalTo(KYC)).body("key", equalTo(pngKey))
                .body("size", equalTo(png.length)).body("contentType", equalTo("image/png"))
                .body("etag", notNullValue()).body("lastModified", notNullValue())
                .body("sha256", equalTo(sha256(png)));
        assertEquals(200, stat(pngKey), "a verified object stays");

        byte[] pdf = realPdf();
        String pdfKey = "verify-" + UUID.randomUUID() + "/proof_of_address/" + UUID.randomUUID();
        putOk(pdfKey, "application/pdf", pdf);
        // type and size are optional: without them the bucket's limits still apply
        verify(pdfKey, null, null).then().statusCode(200).body("size", equalTo(pdf.length))
                .body("contentType", equalTo("application/pdf")).body("sha256", equalTo(sha256(pdf)));
        // a declared type with parameters/case is compared by its base type
        verify(pdfKey, "Application/PDF; charset=binary", (long) pdf.length).then().statusCode(200)
                .body("sha256", equalTo(sha256(pdf)));

        // larger than one read buffer: the hash covers the whole object, not just the first chunk
        byte[] big = Files.png(300_001);
        String bigKey = "verify-" + UUID.randomUUID() + "/selfie/" + UUID.randomUUID();
        putOk(bigKey, "image/png", big);
        verify(bigKey, "image/png", (long) big.length).then().statusCode(200).body("size", equalTo(big.length))
                .body("sha256", equalTo(sha256(big)));
    }

    @Test
    void aWrongDeclaredSizeOrTypeOrContentDeletesTheObject() throws Exception {
        byte[] png = Files.png(2000);
        String wrongSize = "verify-" + UUID.randomUUID() + "/selfie/a";
        putOk(wrongSize, "image/png", png);
        verify(wrongSize, "image/png", 1999L).then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo(REJECTED)).body("status", equalTo(422));
        assertEquals(404, stat(wrongSize));

        String biggerSize = "verify-" + UUID.randomUUID() + "/selfie/b";
        putOk(biggerSize, "image/png", png);
        verify(biggerSize, null, 2001L).then().statusCode(422).body("type", equalTo(REJECTED));
        assertEquals(404, stat(biggerSize));

        String wrongType = "verify-" + UUID.randomUUID() + "/selfie/c";
        putOk(wrongType, "image/png", png);
        verify(wrongType, "application/pdf", (long) png.length).then().statusCode(422).body("type", equalTo(REJECTED));
        assertEquals(404, stat(wrongType));

        // stored and declared as PNG, but it is HTML
        String fake = "verify-" + UUID.randomUUID() + "/selfie/d";
        putOk(fake, "image/png", Files.html(2000));
        verify(fake, "image/png", 2000L).then().statusCode(422).body("type", equalTo(REJECTED));
        assertEquals(404, stat(fake));

        // a PDF stored as a PNG, nothing declared: the magic bytes alone reject it
        String disguised = "verify-" + UUID.randomUUID() + "/selfie/e";
        putOk(disguised, "image/png", realPdf());
        verify(disguised, null, null).then().statusCode(422).body("type", equalTo(REJECTED));
        assertEquals(404, stat(disguised));
    }

    @Test
    void missingBadOrUnauthenticatedVerifiesChangeNothing() throws Exception {
        verify("verify-" + UUID.randomUUID() + "/none", "image/png", 10L).then().statusCode(404)
                .contentType("application/problem+json");

        String key = "verify-" + UUID.randomUUID() + "/selfie/kept";
        putOk(key, "image/png", Files.png(500));
        for (String bad : List.of("../" + key, key + "/../x", "/" + key, key + "//x", key + "/a b", "./x")) {
            verify(bad, null, null).then().statusCode(400).body("errors.field", hasItem("key"));
        }
        internal().contentType(ContentType.JSON).body(Map.of("bucket", "nope", "key", key))
                .post("/internal/objects/verify").then().statusCode(400).body("errors.field", hasItem("bucket"));
        internal().contentType(ContentType.JSON).body(Map.of("key", key))
                .post("/internal/objects/verify").then().statusCode(400).body("errors.field", hasItem("bucket"));
        // a declaration no upload URL could have been issued for, or a non-positive size: the request is wrong
        verify(key, "text/html", 500L).then().statusCode(400).body("errors.field", hasItem("contentType"));
        verify(key, "image/png", 0L).then().statusCode(400).body("errors.field", hasItem("size"));
        given().contentType(ContentType.JSON).body(Map.of("bucket", KYC, "key", key))
                .post("/internal/objects/verify").then().statusCode(401).contentType("application/problem+json");
        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        given().auth().oauth2(admin.token()).contentType(ContentType.JSON).body(Map.of("bucket", KYC, "key", key))
                .post("/internal/objects/verify").then().statusCode(401);
        assertEquals(200, stat(key), "refused requests never delete anything");
        verify(key, "image/png", 500L).then().statusCode(200);
    }

    @Test
    void userUploadsAreVerifiedAndListedOnlyForTheirUploader() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        TestSessions.Minted bob = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(1234);
        JsonPath ticket = UploadFlowTest.requestUpload(alice.token(), "me.png", "image/png", png.length);
        UploadFlowTest.upload(ticket, "image/png", png);
        String key = ticket.getString("key");
        JsonPath other = UploadFlowTest.requestUpload(bob.token(), "bob.png", "image/png", png.length);
        UploadFlowTest.upload(other, "image/png", png);

        Map<String, Object> body = new HashMap<>(Map.of("bucket", "user-uploads", "key", key));
        internal().contentType(ContentType.JSON).body(body).post("/internal/objects/verify").then().statusCode(400)
                .body("errors.field", hasItem("userId"));
        body.put("userId", bob.userId());
        internal().contentType(ContentType.JSON).body(body).post("/internal/objects/verify").then().statusCode(404);
        // a user id is one key segment: "alice/temp" must not reach into alice's uploads
        body.put("userId", alice.userId() + "/temp");
        internal().contentType(ContentType.JSON).body(body).post("/internal/objects/verify").then().statusCode(400)
                .body("errors.field", hasItem("userId"));
        body.put("userId", alice.userId());
        body.put("size", png.length);
        internal().contentType(ContentType.JSON).body(body).post("/internal/objects/verify").then().statusCode(200)
                .body("sha256", equalTo(sha256(png)));

        internal().queryParam("bucket", "user-uploads").get("/internal/objects").then().statusCode(400)
                .body("errors.field", hasItem("userId"));
        internal().queryParam("bucket", "user-uploads").queryParam("userId", alice.userId() + "/temp")
                .get("/internal/objects").then().statusCode(400).body("errors.field", hasItem("userId"));
        internal().queryParam("bucket", "user-uploads").queryParam("userId", alice.userId())
                .get("/internal/objects").then().statusCode(200).body("items.key", equalTo(List.of(key)))
                .body("items[0].size", equalTo(png.length)).body("nextStartAfter", nullValue());
        internal().queryParam("bucket", "user-uploads").queryParam("userId", alice.userId())
                .queryParam("prefix", alice.userId() + "/temp/").get("/internal/objects").then().statusCode(200)
                .body("items.key", equalTo(List.of(key)));
        internal().queryParam("bucket", "user-uploads").queryParam("userId", alice.userId())
                .queryParam("prefix", bob.userId() + "/").get("/internal/objects").then().statusCode(404);
        internal().queryParam("bucket", "user-uploads").queryParam("userId", bob.userId())
                .get("/internal/objects").then().statusCode(200)
                .body("items.key", everyItem(startsWith(bob.userId() + "/")))
                .body("items.key", equalTo(List.of(other.getString("key"))));
    }

    @Test
    void theDeclaredMaxSizeCapsThePostPolicy() throws Exception {
        byte[] png = Files.png(1001);
        String over = "verify-" + UUID.randomUUID() + "/id_back/over";
        int status = put(over, "image/png", png, 1000L);
        assertTrue(status / 100 == 4, "S3 must refuse a file over the declared maxSize, got " + status);
        assertEquals(404, stat(over));

        // the same file fits a policy of its exact size, so the cap above was maxSize and nothing else
        String exact = "verify-" + UUID.randomUUID() + "/id_back/exact";
        assertEquals(2, put(exact, "image/png", png, 1001L) / 100);
        verify(exact, "image/png", 1001L).then().statusCode(200);

        for (long bad : List.of(0L, -1L, 10L * 1024 * 1024 + 1, 1L << 40)) {
            internal().contentType(ContentType.JSON)
                    .body(Map.of("bucket", KYC, "key", over, "contentType", "image/png", "maxSize", bad))
                    .post("/internal/objects/upload-url").then().statusCode(400).body("errors.field", hasItem("maxSize"));
        }
        // the bucket maximum itself is allowed
        internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", KYC, "key", over, "contentType", "image/png", "maxSize", 10L * 1024 * 1024))
                .post("/internal/objects/upload-url").then().statusCode(200);
    }

    @Test
    void listPagesInKeyOrderWithStartAfter() throws Exception {
        String prefix = "list-" + UUID.randomUUID();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String key = prefix + "/doc/" + i;
            putOk(key, "application/pdf", Files.pdf(100 + i));
            keys.add(key);
        }
        // a sibling prefix that shares the first characters is not part of "<prefix>/"
        putOk(prefix + "x/doc/0", "application/pdf", Files.pdf(50));

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        String after = null;
        do {
            RequestSpecification req = internal().queryParam("bucket", KYC).queryParam("prefix", prefix + "/")
                    .queryParam("limit", 3);
            if (after != null) {
                req = req.queryParam("startAfter", after);
            }
            JsonPath page = req.get("/internal/objects").then().statusCode(200).extract().jsonPath();
            List<String> got = page.getList("items.key");
            List<Integer> sizes = page.getList("items.size");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(100 + Integer.parseInt(got.get(i).substring(got.get(i).lastIndexOf('/') + 1)),
                        sizes.get(i));
                assertTrue(page.getString("items[" + i + "].lastModified") != null);
            }
            pageSizes.add(got.size());
            seen.addAll(got);
            after = page.getString("nextStartAfter");
            cursors.add(after);
            assertTrue(pageSizes.size() < 10, "pagination does not end");
        } while (after != null);
        assertEquals(keys, seen);
        assertEquals(List.of(3, 3, 1), pageSizes);
        assertEquals(java.util.Arrays.asList(keys.get(2), keys.get(5), null), cursors);

        // the default page (500) holds them all; no cursor when the page is not full
        internal().queryParam("bucket", KYC).queryParam("prefix", prefix + "/").get("/internal/objects").then()
                .statusCode(200).body("items.key", equalTo(keys)).body("nextStartAfter", nullValue());
        // a prefix need not end at a segment boundary
        internal().queryParam("bucket", KYC).queryParam("prefix", prefix).queryParam("limit", 1000)
                .get("/internal/objects").then().statusCode(200).body("items.size()", equalTo(8));
        // start-after in the middle of a page boundary: strictly after that key
        internal().queryParam("bucket", KYC).queryParam("prefix", prefix + "/").queryParam("startAfter", keys.get(5))
                .queryParam("limit", 1).get("/internal/objects").then().statusCode(200)
                .body("items.key", equalTo(List.of(keys.get(6)))).body("nextStartAfter", equalTo(keys.get(6)));
        internal().queryParam("bucket", KYC).queryParam("prefix", prefix + "/").queryParam("startAfter", keys.get(6))
                .queryParam("limit", 1).get("/internal/objects").then().statusCode(200)
                .body("items", equalTo(List.of())).body("nextStartAfter", nullValue());
    }

    @Test
    void badListRequestsAreRefused() {
        for (String bad : List.of("../x", "a/../b", "a//b", "/a", "/", "a/./b", "a b/", "a/b//")) {
            internal().queryParam("bucket", KYC).queryParam("prefix", bad).get("/internal/objects").then()
                    .statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("prefix"));
        }
        for (String bad : List.of("0", "1001", "-3", "abc", "5000")) {
            internal().queryParam("bucket", KYC).queryParam("limit", bad).get("/internal/objects").then()
                    .statusCode(400).body("errors.field", hasItem("limit"));
        }
        internal().queryParam("bucket", KYC).queryParam("startAfter", "../x").get("/internal/objects").then()
                .statusCode(400).body("errors.field", hasItem("startAfter"));
        internal().queryParam("bucket", "secrets").get("/internal/objects").then().statusCode(400)
                .body("errors.field", hasItem("bucket"));
        internal().get("/internal/objects").then().statusCode(400).body("errors.field", hasItem("bucket"));
        given().queryParam("bucket", KYC).get("/internal/objects").then().statusCode(401);
        given().auth().oauth2(InternalApiTest.TOKEN + "x").queryParam("bucket", KYC).get("/internal/objects").then()
                .statusCode(401);
    }

    @Test
    void theHashIsOfTheVersionThatWasStatted() throws Exception {
        String key = "verify-" + UUID.randomUUID() + "/selfie/race";
        byte[] first = Files.png(700);
        clients.internal().putObject(PutObjectArgs.builder().bucket(KYC).object(key)
                .stream(new ByteArrayInputStream(first), first.length, -1).contentType("image/png").build());
        ObjectInfo statted = store.statNow(KYC, key).orElseThrow();
        assertEquals(sha256(first), store.digestNow(statted, 16).sha256());

        // replaced between the stat and the read (same size, other bytes): S3 refuses the pinned GET
        byte[] second = Files.png(700);
        second[500] ^= 1;
        clients.internal().putObject(PutObjectArgs.builder().bucket(KYC).object(key)
                .stream(new ByteArrayInputStream(second), second.length, -1).contentType("image/png").build());
        ProblemException e = assertThrows(ProblemException.class, () -> store.digestNow(statted, 16));
        assertEquals(ProblemType.CONFLICT, e.type());
        assertNull(e.errors());
        verify(key, "image/png", 700L).then().statusCode(200).body("sha256", equalTo(sha256(second)));
    }
}
