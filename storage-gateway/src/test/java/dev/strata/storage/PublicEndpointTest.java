package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;

/**
 * The gateway connects to S3 at 127.0.0.1 but clients are told to use "localhost": URLs are signed for the
 * public host, work through it, and fail through the internal one (the host is part of the signature).
 */
@QuarkusTest
@TestProfile(PublicEndpointTest.PublicHost.class)
class PublicEndpointTest {

    public static class PublicHost implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PublicHostResource.class));
        }
    }

    @Inject
    @ConfigProperty(name = "strata.storage.public-endpoint")
    String publicEndpoint;

    @Inject
    @ConfigProperty(name = "quarkus.minio.url")
    String internalEndpoint;

    @Inject
    SessionStore sessions;

    @Test
    void urlsAreSignedForThePublicHostAndWorkThroughIt() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(7777);
        JsonPath ticket = UploadFlowTest.requestUpload(alice.token(), "pub.png", "image/png", png.length);
        assertTrue(ticket.getString("upload.url").startsWith(publicEndpoint + "/"), ticket.getString("upload.url"));
        assertTrue(!publicEndpoint.equals(internalEndpoint), publicEndpoint);
        HttpResponse<String> up = UploadFlowTest.upload(ticket, "image/png", png);
        assertTrue(up.statusCode() / 100 == 2, () -> up.statusCode() + " " + up.body());
        String id = ticket.getString("uploadId");
        given().auth().oauth2(alice.token()).post("/api/uploads/" + id + "/complete").then().statusCode(200);

        String url = given().auth().oauth2(alice.token()).get("/api/uploads/" + id + "/download-url").then()
                .statusCode(200).extract().path("url");
        assertTrue(url.startsWith(publicEndpoint + "/"), url);
        HttpResponse<byte[]> down = S3Http.get(url);
        assertEquals(200, down.statusCode());
        assertArrayEquals(png, down.body());

        String viaInternalHost = internalEndpoint + url.substring(publicEndpoint.length());
        assertEquals(403, S3Http.get(viaInternalHost).statusCode());
    }
}
