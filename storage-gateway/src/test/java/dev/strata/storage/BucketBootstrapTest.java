package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.minio.BucketExistsArgs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.storage.service.S3Clients;
import dev.strata.testing.StrataServers;
import dev.strata.testing.StrataServersResource;

/** Buckets exist after startup and refused settings are reported (readiness data and a gauge). */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class BucketBootstrapTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    S3Clients clients;

    @Test
    void bucketsExist() throws Exception {
        for (String b : new String[] { "kyc-documents", "token-metadata", "user-uploads" }) {
            assertTrue(clients.internal().bucketExists(BucketExistsArgs.builder().bucket(b).build()), b);
        }
    }

    @Test
    void readinessReportsWhatTheBackendRefusedButStaysUp() {
        var check = "checks.find { it.name == 'storage-buckets' }";
        var r = given().port(management.getPort()).get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(check + ".status", equalTo("UP"))
                .body(check + ".data.'user-uploads.bucket'", equalTo("user-uploads"))
                .body(check + ".data.'kyc-documents.unsupported'", notNullValue())
                // per-bucket state; encryption is not required in the test profile, so its refusal is not fatal
                .body(check + ".data.'kyc-documents.required'", equalTo(""))
                .body(check + ".data.'kyc-documents.encryption'", notNullValue())
                .body(check + ".data.'user-uploads.state'", notNullValue());
        if (StrataServers.shared().embeddedS3().isPresent()) {
            // S3Proxy answers 501 to lifecycle, policy and object lock
            r.body(check + ".data.'user-uploads.unsupported'", containsString("temp-expiry-lifecycle"))
                    .body(check + ".data.'token-metadata.unsupported'", containsString("public-read-policy"))
                    .body(check + ".data.'kyc-documents.unsupported'", containsString("retention"))
                    .body(check + ".data.'kyc-documents.state'", equalTo("degraded"))
                    // S3Proxy keeps default encryption: it is read back after being set
                    .body(check + ".data.'kyc-documents.encryption'", equalTo("SSE-S3 (read back)"))
                    .body(check + ".data.'user-uploads.state'", equalTo("degraded"));
            given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200).body(containsString(
                    "strata_storage_bucket_setting_unsupported{bucket=\"user-uploads\",setting=\"temp-expiry-lifecycle\",} 1.0"));
        }
    }
}
