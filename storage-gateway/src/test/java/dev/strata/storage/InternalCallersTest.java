package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.testing.StrataServersResource;

/** The gateway knows which service calls /internal and lets each use only its own buckets. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InternalCallersTest {

    static final String KYC = "test-internal-token-0123456789";
    static final String RATES = "test-rates-token-0123456789";

    @Test
    void onlyKycServiceReachesKycDocuments() {
        // kyc-service: allowed (the object does not exist: 404, not 403)
        given().auth().oauth2(KYC).get("/internal/objects/stat?bucket=kyc-documents&key=a/b").then().statusCode(404);
        // another service with a valid credential of its own: refused
        given().auth().oauth2(RATES).get("/internal/objects/stat?bucket=kyc-documents&key=a/b").then()
                .statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://strata.dev/problems/forbidden"));
        given().auth().oauth2(RATES).contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", "a/b", "contentType", "image/png"))
                .post("/internal/objects/upload-url").then().statusCode(403);
        given().auth().oauth2(RATES).delete("/internal/objects?bucket=kyc-documents&key=a/b").then().statusCode(403);
        given().auth().oauth2(RATES).queryParam("bucket", "kyc-documents").get("/internal/objects").then()
                .statusCode(403);
        given().auth().oauth2(RATES).contentType(ContentType.JSON).body(Map.of("sourceBucket", "user-uploads",
                "sourceKey", "u/temp/x/a.png", "targetBucket", "kyc-documents", "targetKey", "c/d", "userId", "u"))
                .post("/internal/objects/copy").then().statusCode(403);
    }

    @Test
    void tokenMetadataIsWrittenOnlyThroughThePublicApi() {
        for (String token : new String[] {KYC, RATES}) {
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("bucket", "token-metadata", "key", "0xabc/logo", "contentType", "image/png"))
                    .post("/internal/objects/upload-url").then().statusCode(403);
            given().auth().oauth2(token).delete("/internal/objects?bucket=token-metadata&key=0xabc/logo").then()
                    .statusCode(403);
        }
    }
}
