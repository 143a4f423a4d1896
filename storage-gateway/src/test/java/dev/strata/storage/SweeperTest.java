package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.strata.platform.security.SessionStore;
import dev.strata.storage.service.S3Clients;
import dev.strata.storage.service.TempUploadSweeper;
import dev.strata.testing.StrataServersResource;
import dev.strata.platform.testsupport.TestSessions;

/** The sweeper, driven with a clock eight days ahead, deletes aged temp uploads and nothing else. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SweeperTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    SessionStore sessions;

    @Inject
    S3Clients clients;

    @Inject
    TempUploadSweeper sweeper;

    boolean exists(String bucket, String key) throws Exception {
        try {
            clients.internal().statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (io.minio.errors.ErrorResponseException e) {
            return false;
        }
    }

    @Test
    void agedTempUploadsAreDeletedWhilePromotedAndOtherObjectsStay() throws Exception {
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(1000);
        JsonPath promoted = UploadFlowTest.requestUpload(alice.token(), "keep.png", "image/png", png.length);
        UploadFlowTest.upload(promoted, "image/png", png);
        JsonPath abandoned = UploadFlowTest.requestUpload(alice.token(), "drop.png", "image/png", png.length);
        UploadFlowTest.upload(abandoned, "image/png", png);
        String kycKey = "app-" + UUID.randomUUID() + "/selfie/" + UUID.randomUUID();
        given().auth().oauth2(InternalApiTest.TOKEN).contentType(ContentType.JSON)
                .body(Map.of("sourceBucket", "user-uploads", "sourceKey", promoted.getString("key"),
                        "targetBucket", "kyc-documents", "targetKey", kycKey, "userId", alice.userId()))
                .post("/internal/objects/copy").then().statusCode(200);
        // not a temp key: the sweeper must never touch it
        String other = alice.userId() + "/profile/avatar.png";
        clients.internal().putObject(PutObjectArgs.builder().bucket("user-uploads").object(other)
                .stream(new ByteArrayInputStream(png), png.length, -1).contentType("image/png").build());

        // today nothing is old enough
        List<String> none = sweeper.sweep(Instant.now());
        assertTrue(none.stream().noneMatch(k -> k.startsWith(alice.userId() + "/")), () -> none.toString());
        assertTrue(exists("user-uploads", abandoned.getString("key")));

        List<String> swept = sweeper.sweep(Instant.now().plus(Duration.ofDays(7)).plus(Duration.ofHours(1)));
        assertTrue(swept.contains(abandoned.getString("key")), () -> swept.toString());
        assertTrue(swept.contains(promoted.getString("key")), () -> swept.toString());
        assertTrue(!exists("user-uploads", abandoned.getString("key")));
        assertTrue(!exists("user-uploads", promoted.getString("key")));
        assertTrue(exists("kyc-documents", kycKey), "the promoted copy stays");
        assertTrue(exists("user-uploads", other), "non-temp objects stay");
        assertEquals(List.of(), sweeper.sweep(Instant.now().plus(Duration.ofDays(8))).stream()
                .filter(k -> k.startsWith(alice.userId() + "/")).toList());

        given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200)
                .body(containsString("strata_storage_sweeper_deletions_total"));
    }
}
