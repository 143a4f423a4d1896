package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.strata.testing.StrataServersResource;

/**
 * Required bucket settings: encryption (the production default, {@code require-encryption=true}) and, here, also
 * retention on kyc-documents and the lifecycle rule on user-uploads ({@code required-settings}). S3Proxy keeps
 * default encryption (it is read back) but has neither object lock nor lifecycle rules, so bootstrap cannot apply
 * two required settings: readiness is DOWN and its data says which bucket, which setting and why.
 */
@QuarkusTest
@TestProfile(RequiredSettingsTest.Required.class)
class RequiredSettingsTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    public static class Required implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("strata.storage.require-encryption", "true",
                    "strata.storage.required-settings", "kyc-documents:retention,user-uploads:temp-expiry-lifecycle");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StrataServersResource.class));
        }
    }

    @Test
    void aRequiredSettingTheBackendDidNotApplyMakesReadinessDown() {
        var check = "checks.find { it.name == 'storage-buckets' }";
        given().port(management.getPort()).get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .body(check + ".status", equalTo("DOWN"))
                // encryption is required and in force: set, then read back
                .body(check + ".data.'kyc-documents.required'", equalTo("retention, default-encryption"))
                .body(check + ".data.'kyc-documents.encryption'", equalTo("SSE-S3 (read back)"))
                .body(check + ".data.'kyc-documents.applied'", containsString("default-encryption"))
                // retention is required and refused (no object lock in S3Proxy)
                .body(check + ".data.'kyc-documents.state'", equalTo("failed"))
                .body(check + ".data.'kyc-documents.unsupported'", containsString("retention"))
                .body(check + ".data.'user-uploads.state'", equalTo("failed"))
                .body(check + ".data.'user-uploads.unsupported'", equalTo("temp-expiry-lifecycle"))
                // nothing required there: a refused policy is compensated by the redirect endpoint
                .body(check + ".data.'token-metadata.state'", equalTo("degraded"));
        // the pod is unready, not broken
        given().port(management.getPort()).get("/q/health/live").then().statusCode(200);
    }
}
