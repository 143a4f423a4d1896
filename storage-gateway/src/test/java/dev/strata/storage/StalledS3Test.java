package dev.strata.storage;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** A stalled S3 is a 503 problem within strata.storage.s3-timeout (1 s here), never a hung request. */
@QuarkusTest
@TestProfile(StalledS3Test.Stalled.class)
class StalledS3Test {

    public static class Stalled implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StalledS3Resource.class));
        }
    }

    static final String DOWN = "https://strata.dev/problems/dependency-unavailable";

    static void within(long maxMillis, java.util.function.Supplier<ValidatableResponse> call) {
        long start = System.nanoTime();
        call.get().statusCode(503).contentType("application/problem+json").body("type", equalTo(DOWN));
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took < maxMillis, "answered after " + took + " ms");
    }

    @Test
    void aStalledS3IsA503AfterTheTimeout() {
        // S3 trickles a never-ending status line: every read succeeds, only the operation's own bound ends it
        within(5_000, () -> InternalApiTest.internal().queryParam("bucket", "kyc-documents")
                .queryParam("key", "stall-1/a").get("/internal/objects/stat").then());
        within(5_000, () -> InternalApiTest.internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", "stall-2/a")).post("/internal/objects/verify").then());
        within(5_000, () -> InternalApiTest.internal().queryParam("bucket", "kyc-documents")
                .queryParam("prefix", "stall-3/").get("/internal/objects").then());
        // S3 answers nothing at all: the client's own read timeout
        within(5_000, () -> InternalApiTest.internal().contentType(ContentType.JSON)
                .body(Map.of("bucket", "kyc-documents", "key", "silent/a")).post("/internal/objects/verify").then());
        within(5_000, () -> InternalApiTest.internal().queryParam("bucket", "kyc-documents")
                .queryParam("prefix", "silent/").get("/internal/objects").then());
    }
}
