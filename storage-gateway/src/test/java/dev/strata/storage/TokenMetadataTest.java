package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.minio.StatObjectArgs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionStore;
import dev.strata.storage.service.S3Clients;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

/**
 * Token logos/metadata: written by an admin (a role auth-service really grants; sessions minted as auth-service
 * signs them), read by anyone through a redirect to a presigned GET. Callers without the role get 403 and nothing
 * reaches the bucket.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TokenMetadataTest {

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    static String address() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return "0x" + HexFormat.of().formatHex(b);
    }

    @Test
    void adminsWriteAndAnyoneReadsWithoutASession() throws Exception {
        String address = address();
        byte[] logo = Files.png(4000);
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        given().auth().oauth2(admin.token()).contentType("image/png").body(logo)
                .put("/api/token-metadata/" + address.toUpperCase().replace("0X", "0x") + "/logo").then()
                .statusCode(200).body("key", equalTo(address + "/logo")).body("size", equalTo(logo.length));

        String location = given().redirects().follow(false).get("/api/token-metadata/" + address + "/logo").then()
                .statusCode(302).extract().header("Location");
        HttpResponse<byte[]> read = S3Http.get(location);
        assertEquals(200, read.statusCode());
        assertArrayEquals(logo, read.body());
        assertEquals("image/png", read.headers().firstValue("Content-Type").orElse(null));

        assertTrue(stored(address + "/logo"));
        byte[] json = "{\"name\":\"Strata Token\",\"decimals\":18}".getBytes(StandardCharsets.UTF_8);
        given().auth().oauth2(admin.token()).contentType("application/json").body(json)
                .put("/api/token-metadata/" + address + "/metadata").then().statusCode(200);
        String metaUrl = given().redirects().follow(false).get("/api/token-metadata/" + address + "/metadata")
                .then().statusCode(302).extract().header("Location");
        assertArrayEquals(json, S3Http.get(metaUrl).body());
    }

    boolean stored(String key) throws Exception {
        try {
            clients.internal().statObject(StatObjectArgs.builder().bucket("token-metadata").object(key).build());
            return true;
        } catch (io.minio.errors.ErrorResponseException e) {
            if (e.errorResponse() != null && "NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw e;
        }
    }

    @Test
    void callersWithoutTheAdminRoleAreRefusedAndNothingIsStored() throws Exception {
        String address = address();
        given().contentType("image/png").body(Files.png(100)).put("/api/token-metadata/" + address + "/logo").then()
                .statusCode(401).contentType("application/problem+json");
        // every role auth-service grants except admin
        for (String[] roles : new String[][] { { "user" }, { "user", "reviewer" } }) {
            TestSessions.Minted caller = TestSessions.mint(sessions, roles);
            given().auth().oauth2(caller.token()).contentType("image/png").body(Files.png(100))
                    .put("/api/token-metadata/" + address + "/logo").then().statusCode(403)
                    .contentType("application/problem+json");
            given().auth().oauth2(caller.token()).contentType("application/json").body("{\"name\":\"x\"}")
                    .put("/api/token-metadata/" + address + "/metadata").then().statusCode(403);
        }
        assertFalse(stored(address + "/logo"));
        assertFalse(stored(address + "/metadata.json"));
        given().get("/api/token-metadata/" + address + "/logo").then().statusCode(404)
                .contentType("application/problem+json");

        // control: the same request with the admin role is stored
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        given().auth().oauth2(admin.token()).contentType("image/png").body(Files.png(100))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(200);
        assertTrue(stored(address + "/logo"));
    }

    @Test
    void badContentIsRefusedAndNothingIsStored() throws Exception {
        String address = address();
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        given().auth().oauth2(admin.token()).contentType("image/png").body(Files.html(300))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(422)
                .body("type", equalTo("https://strata.dev/problems/storage/content-rejected"));
        given().auth().oauth2(admin.token()).contentType("text/html").body(Files.html(300))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(415);
        given().auth().oauth2(admin.token()).contentType("application/json").body("[1,2]")
                .put("/api/token-metadata/" + address + "/metadata").then().statusCode(422);
        given().auth().oauth2(admin.token()).contentType("application/json").body("{not json")
                .put("/api/token-metadata/" + address + "/metadata").then().statusCode(422);
        given().auth().oauth2(admin.token()).contentType("image/png").body(Files.png(600_000))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(422);
        given().auth().oauth2(admin.token()).contentType("image/png").body(Files.png(100))
                .put("/api/token-metadata/0x1234/logo").then().statusCode(400);
        given().auth().oauth2(admin.token()).contentType("image/png").body(Files.png(100))
                .put("/api/token-metadata/" + address + "/banner").then().statusCode(404);
        given().get("/api/token-metadata/" + address + "/logo").then().statusCode(404);
        given().get("/api/token-metadata/" + address + "/metadata").then().statusCode(404);
        given().get("/api/token-metadata/../etc/logo").then().statusCode(404);
        assertFalse(stored(address + "/logo"));
        assertFalse(stored(address + "/metadata.json"));
    }
}
