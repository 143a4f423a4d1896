package dev.strata.storage;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.minio.ListObjectsArgs;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.storage.service.BucketUsage;
import dev.strata.storage.service.ObjectStore;
import dev.strata.storage.service.S3Clients;
import dev.strata.testing.StrataServersResource;

/**
 * The gateway's store metrics against the real S3Proxy and Redis, read from /q/metrics: S3 calls and errors by
 * operation, presigns and completions of a real upload, and objects/bytes per bucket counted by one replica only.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class StoreMetricsTest {

    /** Metrics are on the management interface, not the port RestAssured uses. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "/", management = true)
    java.net.URL management;

    private static final String LOCK = "storage:bucket-usage:lock";

    @Inject
    S3Clients clients;

    @Inject
    ObjectStore store;

    @Inject
    BucketUsage usage;

    @Inject
    RedisDataSource redis;

    @Inject
    SessionStore sessions;

    @Test
    void s3CallsAndErrorsAreCountedByOperation() throws Exception {
        String before = scrape();
        // a real S3 error (the bucket does not exist) and a missing key, which is an answer, not an error
        Exception e = assertThrows(Exception.class, () -> store.headNow("strata-no-such-bucket", "k", 16));
        assertTrue(e.toString().contains("NoSuchBucket"), e.toString());
        assertEquals(Optional.empty(), store.statNow("user-uploads", "nobody/temp/" + UUID.randomUUID() + "/x.png"));
        String after = scrape();

        assertEquals(count(before, "strata_storage_s3_errors_total", "operation=\"get\",reason=\"NoSuchBucket\"") + 1,
                count(after, "strata_storage_s3_errors_total", "operation=\"get\",reason=\"NoSuchBucket\""), after);
        assertEquals(count(before, "strata_storage_s3_requests_seconds_count", "operation=\"get\",outcome=\"error\"") + 1,
                count(after, "strata_storage_s3_requests_seconds_count", "operation=\"get\",outcome=\"error\""));
        assertEquals(count(before, "strata_storage_s3_requests_seconds_count", "operation=\"stat\",outcome=\"not_found\"") + 1,
                count(after, "strata_storage_s3_requests_seconds_count", "operation=\"stat\",outcome=\"not_found\""));
        assertEquals(count(before, "strata_storage_s3_errors_total", "operation=\"stat\""),
                count(after, "strata_storage_s3_errors_total", "operation=\"stat\""), "a missing key is no error");
        assertTrue(count(after, "strata_storage_s3_requests_seconds_count", "operation=\"probe\",outcome=\"success\"") > 0,
                "the readiness probe's calls are counted");
    }

    @Test
    void anUploadIsCountedFromPresignToDownload() throws Exception {
        String before = scrape();
        TestSessions.Minted alice = TestSessions.mint(sessions, "user");
        byte[] png = Files.png(700);
        JsonPath ticket = UploadFlowTest.requestUpload(alice.token(), "m.png", "image/png", png.length);
        UploadFlowTest.upload(ticket, "image/png", png);
        String id = ticket.getString("uploadId");
        given().auth().oauth2(alice.token()).post("/api/uploads/" + id + "/complete").then().statusCode(200);
        given().auth().oauth2(alice.token()).get("/api/uploads/" + id + "/download-url").then().statusCode(200);
        String after = scrape();

        for (String[] m : List.of(
                new String[] { "strata_storage_presigns_total", "bucket=\"user-uploads\",operation=\"upload\"" },
                new String[] { "strata_storage_presigns_total", "bucket=\"user-uploads\",operation=\"download\"" },
                new String[] { "strata_storage_completions_total", "outcome=\"accepted\",reason=\"verified\"" },
                new String[] { "strata_storage_s3_requests_seconds_count", "operation=\"copy\",outcome=\"success\"" })) {
            assertTrue(count(after, m[0], m[1]) >= count(before, m[0], m[1]) + 1, m[0] + m[1] + "\n" + after);
        }
    }

    @Test
    void bucketsAreCountedByOneReplicaAndEveryReplicaExportsTheStoredFigures() throws Exception {
        String bucket = "token-metadata";
        String prefix = "0xmetrics" + UUID.randomUUID().toString().replace("-", "") + "/";
        put(bucket, prefix + "a.json", 300);
        put(bucket, prefix + "b.json", 1200);
        redis.key(String.class).del(LOCK);

        assertTrue(usage.tick(), "no one held the lock: this replica counts");
        long[] truth = listed(bucket);
        String first = scrape();
        assertEquals(truth[0], gauge(first, "strata_storage_bucket_objects", bucket), first);
        assertEquals(truth[1], gauge(first, "strata_storage_bucket_bytes", bucket), first);
        assertEquals(0.0, gauge(first, "strata_storage_bucket_count_truncated", bucket));
        for (String other : List.of("kyc-documents", "user-uploads")) {
            assertEquals(listed(other)[0], gauge(first, "strata_storage_bucket_objects", other), other);
        }

        // within the period the lock is held: no replica lists again, and the figures stay as counted
        put(bucket, prefix + "c.json", 50);
        double lists = count(first, "strata_storage_s3_requests_seconds_count", "operation=\"list\"");
        assertFalse(usage.tick());
        String held = scrape();
        assertEquals(lists, count(held, "strata_storage_s3_requests_seconds_count", "operation=\"list\""),
                "a replica without the lock listed a bucket");
        assertEquals(truth[0], gauge(held, "strata_storage_bucket_objects", bucket));

        // a replica without the lock exports what the counting one stored
        redis.hash(String.class).hset("storage:bucket-usage:" + bucket,
                Map.of("objects", "4242", "bytes", "999999", "truncated", "true", "countedAt", "1700000000000"));
        assertFalse(usage.tick());
        String follower = scrape();
        assertEquals(4242.0, gauge(follower, "strata_storage_bucket_objects", bucket));
        assertEquals(999999.0, gauge(follower, "strata_storage_bucket_bytes", bucket));
        assertEquals(1.0, gauge(follower, "strata_storage_bucket_count_truncated", bucket));
        assertEquals(1.7e9, gauge(follower, "strata_storage_bucket_counted_at_seconds", bucket));

        // the next period (lock expired) counts again and sees the new object
        redis.key(String.class).del(LOCK);
        assertTrue(usage.tick());
        String next = scrape();
        assertEquals(truth[0] + 1, gauge(next, "strata_storage_bucket_objects", bucket));
        assertEquals(truth[1] + 50, gauge(next, "strata_storage_bucket_bytes", bucket));
        assertEquals(0.0, gauge(next, "strata_storage_bucket_count_truncated", bucket));

        for (String key : List.of("a.json", "b.json", "c.json")) {
            clients.internal().removeObject(RemoveObjectArgs.builder().bucket(bucket).object(prefix + key).build());
        }
    }

    private void put(String bucket, String key, int size) throws Exception {
        clients.internal().putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(new byte[size]), size, -1).contentType("application/json").build());
    }

    /** Objects and bytes as the test's own listing sees them. */
    private long[] listed(String bucket) throws Exception {
        long objects = 0;
        long bytes = 0;
        for (Result<Item> r : clients.internal().listObjects(ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
            Item item = r.get();
            if (!item.isDir()) {
                objects++;
                bytes += item.size();
            }
        }
        return new long[] { objects, bytes };
    }

    private String scrape() {
        return given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double gauge(String metrics, String name, String bucket) {
        return sample(metrics, name, "bucket=\"" + bucket + "\"").orElseThrow(() -> new AssertionError(name + " " + bucket
                + " missing\n" + metrics));
    }

    private static double count(String metrics, String name, String labels) {
        return sample(metrics, name, labels).orElse(0.0);
    }

    /** The sum of the samples of {@code name} whose labels contain {@code labels}. */
    private static Optional<Double> sample(String metrics, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} ([0-9.eE+-]+|NaN)$").matcher(metrics);
        Double sum = null;
        while (m.find()) {
            if (m.group(1).contains(labels)) {
                sum = (sum == null ? 0.0 : sum) + Double.parseDouble(m.group(2));
            }
        }
        return Optional.ofNullable(sum);
    }
}
