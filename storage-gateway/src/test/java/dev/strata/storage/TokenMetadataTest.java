package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionStore;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

/** Token logos/metadata: admin or issuer writes, anyone reads through a redirect to a presigned GET. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TokenMetadataTest {

    @Inject
    SessionStore sessions;

    static String address() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return "0x" + HexFormat.of().formatHex(b);
    }

    @Test
    void issuersWriteAndAnyoneReadsWithoutASession() throws Exception {
        String address = address();
        byte[] logo = Files.png(4000);
        TestSessions.Minted issuer = TestSessions.mint(sessions, "issuer");
        given().auth().oauth2(issuer.token()).contentType("image/png").body(logo)
                .put("/api/token-metadata/" + address.toUpperCase().replace("0X", "0x") + "/logo").then()
                .statusCode(200).body("key", equalTo(address + "/logo")).body("size", equalTo(logo.length));

        String location = given().redirects().follow(false).get("/api/token-metadata/" + address + "/logo").then()
                .statusCode(302).extract().header("Location");
        HttpResponse<byte[]> read = S3Http.get(location);
        assertEquals(200, read.statusCode());
        assertArrayEquals(logo, read.body());
        assertEquals("image/png", read.headers().firstValue("Content-Type").orElse(null));

        TestSessions.Minted admin = TestSessions.mint(sessions, "admin");
        byte[] json = "{\"name\":\"Strata Token\",\"decimals\":18}".getBytes(StandardCharsets.UTF_8);
        given().auth().oauth2(admin.token()).contentType("application/json").body(json)
                .put("/api/token-metadata/" + address + "/metadata").then().statusCode(200);
        String metaUrl = given().redirects().follow(false).get("/api/token-metadata/" + address + "/metadata")
                .then().statusCode(302).extract().header("Location");
        assertArrayEquals(json, S3Http.get(metaUrl).body());
    }

    @Test
    void whoMayNotWrite() {
        String address = address();
        given().contentType("image/png").body(Files.png(100)).put("/api/token-metadata/" + address + "/logo").then()
                .statusCode(401);
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        given().auth().oauth2(user.token()).contentType("image/png").body(Files.png(100))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(403);
        given().get("/api/token-metadata/" + address + "/logo").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void badContentIsRefusedAndNothingIsStored() {
        String address = address();
        TestSessions.Minted issuer = TestSessions.mint(sessions, "issuer");
        given().auth().oauth2(issuer.token()).contentType("image/png").body(Files.html(300))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(422)
                .body("type", equalTo("https://strata.dev/problems/storage/content-rejected"));
        given().auth().oauth2(issuer.token()).contentType("text/html").body(Files.html(300))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(415);
        given().auth().oauth2(issuer.token()).contentType("application/json").body("[1,2]")
                .put("/api/token-metadata/" + address + "/metadata").then().statusCode(422);
        given().auth().oauth2(issuer.token()).contentType("application/json").body("{not json")
                .put("/api/token-metadata/" + address + "/metadata").then().statusCode(422);
        given().auth().oauth2(issuer.token()).contentType("image/png").body(Files.png(600_000))
                .put("/api/token-metadata/" + address + "/logo").then().statusCode(422);
        given().auth().oauth2(issuer.token()).contentType("image/png").body(Files.png(100))
                .put("/api/token-metadata/0x1234/logo").then().statusCode(400);
        given().auth().oauth2(issuer.token()).contentType("image/png").body(Files.png(100))
                .put("/api/token-metadata/" + address + "/banner").then().statusCode(404);
        given().get("/api/token-metadata/" + address + "/logo").then().statusCode(404);
        given().get("/api/token-metadata/" + address + "/metadata").then().statusCode(404);
        given().get("/api/token-metadata/../etc/logo").then().statusCode(404);
    }
}
