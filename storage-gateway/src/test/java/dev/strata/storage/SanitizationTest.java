package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
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
import io.restassured.path.json.JsonPath;

import dev.strata.platform.security.SessionStore;
import dev.strata.storage.service.S3Clients;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

/** Hostile file names never reach S3 as keys: what lands in the bucket is listed and inspected. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SanitizationTest {

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    @Test
    void hostileNamesAreSanitizedBeforeTheyBecomeKeys() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        List<String> names = List.of("../../../etc/passwd.png", "..\\..\\windows\\system32\\evil.png",
                "a/../../b.png", "line\r\nbreak\u0007bell\u001b[31m.png", "x".repeat(2000) + ".png",
                "....png", "\u202Egnp.exe", "ünïcödé 日本.png", "%2e%2e%2fencoded.png");
        for (String name : names) {
            JsonPath t = given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                    .body(Map.of("fileName", name, "contentType", "image/png", "size", 100)).post("/api/uploads")
                    .then().statusCode(201).extract().jsonPath();
            HttpResponse<String> up = UploadFlowTest.upload(t, "image/png", Files.png(100));
            assertTrue(up.statusCode() / 100 == 2, () -> "upload of " + name + " failed: " + up.statusCode());
        }
        // a NUL is refused outright (no store can keep it): 400 naming the field, no ticket, no object
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("fileName", "nul\u0000.png", "contentType", "image/png", "size", 100)).post("/api/uploads")
                .then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("fileName"));
        List<String> keys = new ArrayList<>();
        for (Result<Item> r : clients.internal().listObjects(ListObjectsArgs.builder().bucket("user-uploads")
                .prefix(alice.userId() + "/").recursive(true).build())) {
            keys.add(r.get().objectName());
        }
        assertEquals(names.size(), keys.size(), () -> "keys: " + keys);
        for (String key : keys) {
            assertTrue(key.startsWith(alice.userId() + "/temp/"), key);
            assertFalse(key.contains(".."), key);
            assertFalse(key.contains("\\"), key);
            assertFalse(key.contains("//"), key);
            assertTrue(key.chars().allMatch(c -> c > 0x20 && c < 0x7f), () -> "non-printable in " + key);
            String name = key.substring(key.lastIndexOf('/') + 1);
            assertTrue(name.length() <= 100, () -> "unbounded name " + name.length());
            assertTrue(name.matches("[A-Za-z0-9._-]+"), name);
            assertEquals(4, key.split("/").length, key);
        }
        assertTrue(keys.stream().anyMatch(k -> k.endsWith("/passwd.png")), () -> keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.endsWith("x.png") && k.length() < 200), () -> keys.toString());
    }
}
