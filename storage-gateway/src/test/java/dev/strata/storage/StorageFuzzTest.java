package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.minio.ListObjectsArgs;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.storage.service.S3Clients;
import dev.strata.storage.service.UploadQuota;
import dev.strata.testing.Fuzz;

/**
 * Generated malformed requests against every endpoint, public and /internal (seeded: a failure reproduces). Every
 * answer must be a 4xx problem, and nothing may be written: the objects in all three buckets and the pending
 * upload tickets (the gateway's only records, in Redis) are counted before and after.
 */
@QuarkusTest
@WithTestResource(value = dev.strata.testing.StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class StorageFuzzTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String NUL = Fuzz.NUL;

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    @Inject
    UploadQuota quota;

    final Fuzz fuzz = new Fuzz(0x5707a6eL);
    final List<String> users = new ArrayList<>();
    TestSessions.Minted user;
    int userUses;
    TestSessions.Minted admin;

    /** A fresh account every 60 requests, so the per-account upload rate limit does not answer in their place. */
    String userToken() {
        if (user == null || ++userUses > 60) {
            user = TestSessions.mint(sessions, "user");
            users.add(user.userId());
            userUses = 0;
        }
        return user.token();
    }

    long objects() throws Exception {
        long n = 0;
        for (String bucket : List.of("kyc-documents", "token-metadata", "user-uploads")) {
            for (Result<Item> r : clients.internal().listObjects(ListObjectsArgs.builder().bucket(bucket)
                    .recursive(true).build())) {
                r.get();
                n++;
            }
        }
        return n;
    }

    long pending() {
        return users.stream().mapToLong(quota::pendingCount).sum() + quota.pendingCount("fuzz-user");
    }

    /** Bad values that must be refused for a string field (no number or boolean Jackson would turn into a string). */
    static List<Object> badStrings() {
        return List.of(List.of(), Map.of(), "", NUL, "a" + NUL + "b", "x".repeat(5000), "bell\u0007", "   ",
                "../../etc/passwd", "a//b");
    }

    static List<Object> badNumbers() {
        return List.of(0, -1, "x", NUL, "99999999999999999999", Long.MAX_VALUE, Long.MIN_VALUE, List.of(), Map.of(),
                "1e400", "NaN", 2147483648L);
    }

    void check(String label, String body, Response r) {
        fuzz.expectProblem(label, body, r.statusCode(), r.contentType());
    }

    /** A JSON endpoint: a malformed document one time in five, else the valid body with one to three bad fields. */
    void json(String method, String path, RequestSpecification auth, Map<String, Object> valid,
            Map<String, List<Object>> bad) throws Exception {
        String body = fuzz.malformedOrNull();
        if (body == null) {
            int variant = fuzz.random().nextInt(10);
            if (variant == 0) {
                // a duplicated key, both values valid on their own
                String doc = JSON.writeValueAsString(valid);
                String first = valid.keySet().iterator().next();
                body = doc.substring(0, doc.length() - 1) + "," + JSON.writeValueAsString(first) + ":"
                        + JSON.writeValueAsString(valid.get(first)) + "}";
            } else if (variant == 1) {
                // a NUL byte inside a field's name
                Map<String, Object> m = new LinkedHashMap<>(valid);
                String first = m.keySet().iterator().next();
                Object v = m.remove(first);
                m.put(first + NUL, v);
                body = JSON.writeValueAsString(m);
            } else {
                body = JSON.writeValueAsString(fuzz.mutate(valid, bad));
            }
        }
        Response r = auth.contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8))
                .request(method, path);
        check(method + " " + path, body, r);
    }

    void query(String method, String path, RequestSpecification auth, Map<String, Object> valid,
            Map<String, List<Object>> bad) {
        Map<String, Object> params = fuzz.mutate(valid, bad);
        Response r = auth.queryParams(params).request(method, path);
        check(method + " " + path + " " + params, null, r);
    }

    @Test
    void malformedRequestsAreFourHundredProblemsAndWriteNothing() throws Exception {
        admin = TestSessions.mint(sessions, "user", "admin");
        long objectsBefore = objects();
        userToken();
        long pendingBefore = pending();

        String address = "0x" + "ab".repeat(20);
        String tempKey = "fuzz-user/temp/" + UUID.randomUUID() + "/x.png";
        Map<String, List<Object>> uploadBad = Map.of("fileName",
                List.of(List.of(), Map.of(), "", "   ", "x".repeat(5000)), "contentType",
                new ArrayList<>(Fuzz.BAD_STRINGS), "size", badNumbers());
        Map<String, Object> upload = Map.of("fileName", "a.png", "contentType", "image/png", "size", 100);
        Map<String, List<Object>> internalBad = new LinkedHashMap<>();
        internalBad.put("bucket", new ArrayList<>(Fuzz.BAD_STRINGS));
        internalBad.put("key", badStrings());
        internalBad.put("userId", new ArrayList<>(Fuzz.BAD_STRINGS));
        internalBad.put("contentType", new ArrayList<>(Fuzz.BAD_STRINGS));
        internalBad.put("expirySeconds", List.of(0, -1, 901, 2147483648L, "x", NUL, List.of(), "NaN"));
        internalBad.put("maxSize", badNumbers());
        Map<String, Object> uploadUrl = new LinkedHashMap<>(Map.of("bucket", "user-uploads", "key", tempKey, "userId",
                "fuzz-user", "contentType", "image/png", "expirySeconds", 60, "maxSize", 100));
        Map<String, Object> verify = new LinkedHashMap<>(Map.of("bucket", "user-uploads", "key", tempKey, "userId",
                "fuzz-user", "contentType", "image/png", "size", 100));
        Map<String, List<Object>> verifyBad = Map.of("bucket", new ArrayList<>(Fuzz.BAD_STRINGS), "key", badStrings(),
                "userId", new ArrayList<>(Fuzz.BAD_STRINGS), "contentType", new ArrayList<>(Fuzz.BAD_STRINGS),
                "size", badNumbers());
        Map<String, Object> download = new LinkedHashMap<>(Map.of("bucket", "user-uploads", "key", tempKey,
                "userId", "fuzz-user", "fileName", "x.png", "expirySeconds", 60));
        Map<String, List<Object>> downloadBad = Map.of("bucket", new ArrayList<>(Fuzz.BAD_STRINGS), "key",
                badStrings(), "userId", new ArrayList<>(Fuzz.BAD_STRINGS), "expirySeconds",
                List.of(0, -1, 901, 2147483648L, "x", NUL, List.of(), "NaN"));
        Map<String, Object> copy = new LinkedHashMap<>(Map.of("sourceBucket", "user-uploads", "sourceKey", tempKey,
                "targetBucket", "kyc-documents", "targetKey", "app-1/selfie/" + UUID.randomUUID(), "userId",
                "fuzz-user"));
        Map<String, List<Object>> copyBad = Map.of("sourceBucket", new ArrayList<>(Fuzz.BAD_STRINGS), "sourceKey",
                badStrings(), "targetBucket", new ArrayList<>(Fuzz.BAD_STRINGS), "targetKey", badStrings(),
                "userId", new ArrayList<>(Fuzz.BAD_STRINGS));
        // query parameters: the shared bad values, minus those that are valid for that parameter
        List<Object> badBucket = new ArrayList<>(Fuzz.BAD_PARAMS);
        List<Object> badLimit = new ArrayList<>(Fuzz.BAD_PARAMS);
        badLimit.remove(""); // blank means the default page size
        badLimit.addAll(List.of("0", "1001", "2147483647", String.valueOf(2147483647L * 2147483647L)));
        List<Object> badKey = List.of(NUL, "%%", "", "../x", "a//b", "x".repeat(600), "a" + NUL + "b");
        List<Object> badUser = List.of(NUL, "%%", "", "a/b", "x".repeat(65), "..");
        Map<String, Object> list = new LinkedHashMap<>(Map.of("bucket", "user-uploads", "userId", "fuzz-user",
                "limit", "10"));
        Map<String, List<Object>> listBad = Map.of("bucket", badBucket, "limit", badLimit, "userId", badUser,
                "prefix", List.of(NUL, "%%", "../x", "x", "-1", "a//b"), "startAfter",
                List.of(NUL, "%%", "a/../b", "x".repeat(600)));
        Map<String, Object> stat = new LinkedHashMap<>(Map.of("bucket", "user-uploads", "key", tempKey, "userId",
                "fuzz-user"));
        Map<String, List<Object>> statBad = Map.of("bucket", badBucket, "key", badKey, "userId", badUser);
        List<String> kinds = List.of("logo", "metadata", "banner", "", NUL, "..", "logo.png", "%00");

        int tokenReads = 0;
        for (int i = 0; i < 1300; i++) {
            switch (i % 13) {
                case 0, 1 -> json("POST", "/api/uploads", given().auth().oauth2(userToken()), upload, uploadBad);
                case 2 -> {
                    String id = (String) fuzz.pick(Fuzz.BAD_PARAMS);
                    String path = fuzz.random().nextBoolean() ? "/api/uploads/{id}/complete" : "/api/uploads/{id}/download-url";
                    Response r = given().auth().oauth2(userToken()).pathParam("id", fuzz.random().nextInt(4) == 0
                            ? UUID.randomUUID().toString() : id).request(path.endsWith("complete") ? "POST" : "GET", path);
                    check(path + " id=" + id, null, r);
                }
                case 3 -> {
                    // token metadata writes: bad addresses, kinds, types and bodies
                    boolean metadata = fuzz.random().nextBoolean();
                    String addr = fuzz.random().nextInt(3) == 0 ? (String) fuzz.pick(Fuzz.BAD_PARAMS) : address;
                    String kind = fuzz.random().nextInt(4) == 0 ? fuzz.pick(kinds) : metadata ? "metadata" : "logo";
                    String type = fuzz.random().nextInt(4) == 0 ? fuzz.pick(List.of("text/html", "image/svg+xml",
                            "application/json" + NUL, "", "image/png; charset=" + NUL)) : metadata ? "application/json" : "image/png";
                    String body = metadata ? fuzz.pick(Fuzz.MALFORMED)
                            : fuzz.pick(List.of("", NUL, "<svg onload=alert(1)>", "GIF89a", "\u0089PN"));
                    Response r = given().auth().oauth2(admin.token()).contentType(type)
                            .body(body.getBytes(StandardCharsets.UTF_8))
                            .put("/api/token-metadata/{address}/{kind}", addr, kind);
                    check("PUT token-metadata " + addr + "/" + kind + " " + type, body, r);
                }
                case 4 -> {
                    if (tokenReads++ < 100) {
                        // public reads are rate limited per IP (600/min): a hundred is plenty
                        // a bad address with any kind, or a good one with a bad kind (nothing is stored for it)
                        boolean badAddress = fuzz.random().nextBoolean();
                        String addr = badAddress ? (String) fuzz.pick(Fuzz.BAD_PARAMS) : address;
                        String kind = badAddress ? fuzz.pick(kinds) : fuzz.pick(kinds.subList(2, kinds.size()));
                        Response r = given().redirects().follow(false).get("/api/token-metadata/{address}/{kind}",
                                addr, kind);
                        check("GET token-metadata " + addr + "/" + kind, null, r);
                    } else {
                        query("GET", "/internal/objects/stat", InternalApiTest.internal(), stat, statBad);
                    }
                }
                case 5 -> json("POST", "/internal/objects/upload-url", InternalApiTest.internal(), uploadUrl, internalBad);
                case 6 -> json("POST", "/internal/objects/verify", InternalApiTest.internal(), verify, verifyBad);
                case 7 -> json("POST", "/internal/objects/download-url", InternalApiTest.internal(), download, downloadBad);
                case 8 -> json("POST", "/internal/objects/copy", InternalApiTest.internal(), copy, copyBad);
                case 9 -> query("GET", "/internal/objects", InternalApiTest.internal(), list, listBad);
                case 10 -> {
                    // page × size overflow
                    Map<String, Object> params = new LinkedHashMap<>(list);
                    params.put("limit", fuzz.pick(List.of("2147483647", "4611686014132420609", "-2147483648",
                            "1000000000000")));
                    params.put("page", fuzz.pick(List.of("2147483647", "9223372036854775807", "-1")));
                    params.put("size", fuzz.pick(List.of("2147483647", "9223372036854775807", "-1")));
                    Response r = InternalApiTest.internal().queryParams(params).get("/internal/objects");
                    check("GET /internal/objects " + params, null, r);
                }
                case 11 -> query("GET", "/internal/objects/stat", InternalApiTest.internal(), stat, statBad);
                default -> query("DELETE", "/internal/objects", InternalApiTest.internal(), stat, statBad);
            }
        }

        assertTrue(fuzz.sent() >= 1000, () -> "only " + fuzz.sent() + " requests");
        assertEquals(0, fuzz.failureCount(), () -> fuzz.failureCount() + " answers were not 4xx problems, e.g.\n"
                + String.join("\n", fuzz.failures()));
        assertEquals(objectsBefore, objects(), "objects written by refused requests");
        assertEquals(pendingBefore, pending(), "upload tickets recorded for refused requests");
    }

    /** What the fuzz found (2xx where a 4xx was due, and a write), pinned by name. */
    @Test
    void findingsOfTheFuzzStayFixed() throws Exception {
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        String address = "0x" + "cd".repeat(20);
        long before = objects();
        // token metadata with trailing garbage, or behind a byte order mark, was stored
        for (String body : List.of("{\"a\":1}garbage", "\ufeff{}", "{}{}")) {
            given().auth().oauth2(admin.token()).contentType("application/json")
                    .body(body.getBytes(StandardCharsets.UTF_8)).put("/api/token-metadata/" + address + "/metadata")
                    .then().statusCode(422).contentType("application/problem+json")
                    .body("type", org.hamcrest.Matchers.equalTo("https://strata.dev/problems/storage/content-rejected"));
        }
        assertEquals(before, objects());
        // an unknown (e.g. misspelt) field was ignored: "maxsize" gave a policy for the bucket's maximum
        InternalApiTest.internal().contentType("application/json")
                .body(Map.of("bucket", "kyc-documents", "key", "app-1/selfie/" + UUID.randomUUID(), "contentType",
                        "image/png", "maxsize", 100))
                .post("/internal/objects/upload-url").then().statusCode(400).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("https://strata.dev/problems/malformed-body"));
        given().auth().oauth2(admin.token()).contentType("application/json")
                .body(Map.of("fileName", "a.png", "contentType", "image/png", "size", 10, "sizee", 1))
                .post("/api/uploads").then().statusCode(400);
        // control: the same bodies without the unknown field are accepted
        InternalApiTest.internal().contentType("application/json")
                .body(Map.of("bucket", "kyc-documents", "key", "app-1/selfie/" + UUID.randomUUID(), "contentType",
                        "image/png", "maxSize", 100))
                .post("/internal/objects/upload-url").then().statusCode(200);
        given().auth().oauth2(admin.token()).contentType("application/json").body("{\"a\":1}".getBytes(StandardCharsets.UTF_8))
                .put("/api/token-metadata/" + address + "/metadata").then().statusCode(200);
        assertEquals(before + 1, objects());
    }
}
