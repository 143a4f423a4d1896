package dev.strata.kyc;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The client side of the KYC flow, done the way an app would: JSON calls to kyc-service, file bytes straight to S3
 * with the presigned POST (plain HTTP multipart, no SDK).
 */
final class KycFlows {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static final String FIELDS = """
            {"legalName": "Ada Lovelace", "dateOfBirth": "1985-12-10", "nationality": "GB", "residenceCountry": "DE",
             "address": {"line1": "Unter den Linden 1", "city": "Berlin", "postalCode": "10117"},
             "idDocumentType": "national_id", "nationalIdNumber": "L01X00T471"}""";

    record Doc(String type, String fileName, String contentType, byte[] bytes) {
    }

    private KycFlows() {
    }

    static String auth(String token) {
        return "Bearer " + token;
    }

    static String create(String token) {
        return given().header("Authorization", auth(token)).contentType(ContentType.JSON)
                .body("{\"applicantType\":\"individual\"}").post("/api/kyc/applications")
                .then().statusCode(201).extract().path("id");
    }

    static void fill(String token, String id) {
        given().header("Authorization", auth(token)).contentType(ContentType.JSON).body(FIELDS)
                .patch("/api/kyc/applications/" + id).then().statusCode(200);
    }

    static List<Doc> documentSet() {
        return List.of(new Doc("id_front", "front.png", "image/png", png(2048)),
                new Doc("id_back", "back.jpg", "image/jpeg", jpeg(3000)),
                new Doc("selfie", "me.webp", "image/webp", webp(1500)),
                new Doc("proof_of_address", "bill.pdf", "application/pdf", pdf(4096)));
    }

    /** Requests the presigned POST; returns the answer (documentId, upload.url, upload.fields ...). */
    static Response requestDocument(String token, String id, Doc d) {
        return given().header("Authorization", auth(token)).contentType(ContentType.JSON)
                .body(Map.of("documentType", d.type(), "fileName", d.fileName(), "contentType", d.contentType(),
                        "size", d.bytes().length))
                .post("/api/kyc/applications/" + id + "/documents");
    }

    /** Request, upload (real bytes to S3), complete; returns the document id. */
    static String addDocument(String token, String id, Doc d) throws Exception {
        Response ticket = requestDocument(token, id, d);
        ticket.then().statusCode(201);
        HttpResponse<String> s3 = postForm(ticket.path("upload.url"), ticket.path("upload.fields"), d);
        if (s3.statusCode() / 100 != 2) {
            throw new AssertionError("S3 refused the upload: " + s3.statusCode() + " " + s3.body());
        }
        String docId = ticket.path("documentId");
        given().header("Authorization", auth(token)).post("/api/kyc/applications/" + id + "/documents/" + docId
                + "/complete").then().statusCode(200);
        return docId;
    }

    /** A complete draft: fields and the four documents. Returns the application id. */
    static String readyDraft(String token) throws Exception {
        String id = create(token);
        fill(token, id);
        for (Doc d : documentSet()) {
            addDocument(token, id, d);
        }
        return id;
    }

    static String submitted(String token) throws Exception {
        String id = readyDraft(token);
        given().header("Authorization", auth(token)).post("/api/kyc/applications/" + id + "/submissions")
                .then().statusCode(200);
        return id;
    }

    static HttpResponse<String> postForm(String url, Map<String, ?> fields, Doc d) throws IOException,
            InterruptedException {
        return dev.strata.testing.BrowserForms.post(url, fields, d.fileName(), d.contentType(), d.bytes());
    }

    static HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static byte[] png(int size) {
        return withMagic(size, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    }

    static byte[] jpeg(int size) {
        return withMagic(size, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0});
    }

    static byte[] webp(int size) {
        byte[] b = withMagic(size, "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII));
        return b;
    }

    static byte[] pdf(int size) {
        return withMagic(size, "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] html(int size) {
        return withMagic(size, "<html><body>".getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] withMagic(int size, byte[] magic) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        System.arraycopy(magic, 0, b, 0, magic.length);
        return b;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static <T> List<T> list(Iterable<T> it) {
        List<T> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }
}
