package dev.strata.kyc;

import static dev.strata.kyc.KycFlows.auth;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.kyc.rest.Views;
import dev.strata.kyc.service.ApplicationService;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StorageGatewayResource;

/**
 * What lives in the stores: identity numbers only as ciphertext, objects deleted once the gateway is back after a
 * withdrawal, orphans and missing objects found by the reconciler, approvals expiring, the status cache coherent.
 */
@QuarkusTest
@WithTestResource(value = StorageGatewayResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class KycStoresTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    SessionStore sessions;
    @Inject
    Pool pool;
    @Inject
    RedisDataSource redis;
    @Inject
    ApplicationService applications;
    @ConfigProperty(name = "strata.kyc.gateway.url")
    String gatewayUrl;
    @ConfigProperty(name = "strata.kyc.gateway.token")
    String gatewayToken;

    @Test
    void identityNumbersAreEncryptedAtRest() {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        String id = KycFlows.create(user.token());
        given().header("Authorization", auth(user.token())).contentType("application/json")
                .body("{\"nationalIdNumber\":\"ZX-998877-PLAIN\",\"taxIdNumber\":\"DE-TAX-445566\"}")
                .patch("/api/kyc/applications/" + id).then().statusCode(200)
                .body("nationalIdNumber", equalTo("***********LAIN"));
        Row row = pool.preparedQuery("select * from kyc.kyc_applications where id = $1::uuid")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(5)).iterator().next();
        // no column of the raw row, in any encoding, holds the numbers
        String dump = row.toJson().encode();
        for (int i = 0; i < row.size(); i++) {
            Object v = row.getValue(i);
            if (v instanceof io.vertx.core.buffer.Buffer b) {
                dump += new String(b.getBytes(), StandardCharsets.ISO_8859_1);
            }
        }
        assertFalse(dump.contains("998877"), "national id in plaintext");
        assertFalse(dump.contains("445566"), "tax id in plaintext");
        assertEquals("test-1", row.getString("national_id_key_id"));
        assertEquals("test-1", row.getString("tax_id_key_id"));
        // 12-byte IV + ciphertext + 16-byte tag
        assertEquals(12 + "ZX-998877-PLAIN".length() + 16, row.getBuffer("national_id_cipher").length());
        // a ciphertext moved to another application's row does not decrypt there (bound by associated data)
        String other = KycFlows.create(TestSessions.mint(sessions, "user").token());
        pool.preparedQuery("update kyc.kyc_applications set national_id_cipher = $1, national_id_key_id = 'test-1'"
                + " where id = $2::uuid").execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(row.getBuffer("national_id_cipher").getBytes()), other))
                .await().atMost(Duration.ofSeconds(5));
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        given().header("Authorization", auth(admin.token())).get("/api/kyc/applications/" + other).then()
                .statusCode(500).body(org.hamcrest.Matchers.not(containsString("AEADBadTag")));
        pool.preparedQuery("delete from kyc.kyc_applications where id = $1::uuid").execute(Tuple.of(other))
                .await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void withdrawalDeletesObjectsOnceTheGatewayIsBack() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        String id = KycFlows.readyDraft(user.token());
        List<String> keys = pool.preparedQuery("select storage_key from kyc.kyc_documents where application_id = $1::uuid")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(5)).stream().map(r -> r.getString(0)).toList();
        assertEquals(4, keys.size());
        keys.forEach(k -> assertEquals(200, stat(k), "object uploaded"));

        double failedBefore = cleanupFailures();
        StorageGatewayResource.process().stop();
        try {
            given().header("Authorization", auth(user.token())).delete("/api/kyc/applications/" + id).then()
                    .statusCode(204);
            // the cleanup consumer tries while the gateway is down, fails, and keeps the event for a retry
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (cleanupFailures() <= failedBefore && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertTrue(cleanupFailures() > failedBefore, "a deletion was attempted while the gateway was down");
            // rows are gone at once, in one transaction
            assertEquals(0L, count("select count(*) from kyc.kyc_applications where id = $1::uuid", id));
            assertEquals(0L, count("select count(*) from kyc.kyc_documents where application_id = $1::uuid", id));
            assertEquals(0L, count("select count(*) from kyc.kyc_status_history where application_id = $1::uuid", id));
        } finally {
            StorageGatewayResource.process().start();
        }
        // the objects are deleted once the cleanup consumer retries against the returned gateway
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (keys.stream().anyMatch(k -> stat(k) != 404) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        keys.forEach(k -> assertEquals(404, stat(k), "object deleted after the gateway came back: " + k));
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id).then().statusCode(404);
        given().header("Authorization", auth(user.token())).get("/api/kyc/status").then()
                .body("status", equalTo("none"));
    }

    @Test
    void reconcilerDeletesOrphansAndReportsMissingObjects() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        String id = KycFlows.readyDraft(user.token());
        List<Row> docs = pool.preparedQuery("select id, storage_key, document_type from kyc.kyc_documents"
                + " where application_id = $1::uuid order by document_type").execute(Tuple.of(id))
                .await().atMost(Duration.ofSeconds(5)).stream().toList();
        // an orphan: the row vanished without the object (as if a commit had been lost after the upload)
        String orphanKey = docs.get(0).getString("storage_key");
        pool.preparedQuery("delete from kyc.kyc_documents where id = $1").execute(Tuple.of(docs.get(0).getUUID("id")))
                .await().atMost(Duration.ofSeconds(5));
        // a missing object: the object vanished under a completed row
        String missingKey = docs.get(1).getString("storage_key");
        given().header("Authorization", "Bearer " + gatewayToken).queryParam("bucket", "kyc-documents")
                .queryParam("key", missingKey).delete(gatewayUrl + "/internal/objects").then().statusCode(204);

        Response run = given().header("Authorization", auth(admin.token())).post("/api/kyc/maintenance/reconciliations");
        run.then().statusCode(200);
        assertTrue(run.<Integer>path("orphansDeleted") >= 1, run.asString());
        assertTrue(run.<Integer>path("missingObjects") >= 1, run.asString());
        assertEquals(404, stat(orphanKey), "orphan deleted");
        // the other documents are untouched
        assertEquals(200, stat(docs.get(2).getString("storage_key")));
        assertEquals(200, stat(docs.get(3).getString("storage_key")));
        given().port(management.getPort()).accept("text/plain").get("/q/metrics").then()
                .body(containsString("kyc_reconciler_missing_objects"))
                .body(containsString("kyc_reconciler_orphans_deleted_total"));
        // repair the missing one so other tests start from a consistent bucket
        pool.preparedQuery("delete from kyc.kyc_documents where storage_key = $1").execute(Tuple.of(missingKey))
                .await().atMost(Duration.ofSeconds(5));
        Response again = given().header("Authorization", auth(admin.token())).post("/api/kyc/maintenance/reconciliations");
        again.then().statusCode(200).body("missingObjects", equalTo(0)).body("orphansFound", equalTo(0));
    }

    @Test
    void approvalsExpireOnceAndTheStatusFollows() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        TestSessions.Minted admin = TestSessions.mint(sessions, "user", "admin");
        String id = KycFlows.submitted(user.token());
        given().header("Authorization", auth(reviewer.token())).post("/api/kyc/reviews/" + id + "/claim").then()
                .statusCode(200);
        given().header("Authorization", auth(reviewer.token())).contentType("application/json")
                .body("{\"decision\":\"approved\"}").post("/api/kyc/reviews/" + id + "/decision").then().statusCode(200);
        given().header("Authorization", auth(user.token())).get("/api/kyc/status").then()
                .body("status", equalTo("approved"));
        assertNotNull(redis.value(String.class).get("kyc:user:" + user.userId() + ":status"), "status is cached");
        // the approval's validity ends (test data, not a race)
        pool.preparedQuery("update kyc.kyc_applications set expires_at = now() - interval '1 minute' where id = $1::uuid")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(5));
        // two runs at once: one expires it, the other finds nothing (or the lock taken)
        List<Integer> expired = KycWorkflowTest.race(2, () -> given().header("Authorization", auth(admin.token()))
                .post("/api/kyc/maintenance/expirations").then().statusCode(200).extract().<Integer>path("expired"));
        assertEquals(1, expired.stream().mapToInt(Integer::intValue).sum(), expired.toString());
        given().header("Authorization", auth(user.token())).get("/api/kyc/status").then()
                .body("status", equalTo("expired"));
        given().header("Authorization", auth(user.token())).get("/api/kyc/applications/" + id + "/history").then()
                .body("toStatus[-1]", equalTo("expired")).body("changedBy[-1]", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aReaderThatReadBeforeACommitCannotCacheTheOldStatus() throws Throwable {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        String key = "kyc:user:" + user.userId() + ":status";
        // the reader misses, reads "none" from the database, and before it fills the cache a writer commits and
        // invalidates: the fill must be refused
        Views.StatusView read = io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(
                () -> applications.status(user.userId()));
        assertEquals("none", read.status());
        redis.key().del(key);
        var cache = io.quarkus.arc.Arc.container().instance(dev.strata.kyc.service.StatusCache.class).get();
        // the writer's commit + invalidation happen while this reader is "in the database"
        Views.StatusView stale = cache.get(user.userId(), () -> cache.invalidate(user.userId()).replaceWith(read))
                .await().atMost(Duration.ofSeconds(5));
        assertEquals("none", stale.status());
        assertNull(redis.value(String.class).get(key), "the stale read was not cached");
        // an undisturbed read fills it
        cache.get(user.userId(), () -> io.smallrye.mutiny.Uni.createFrom().item(read)).await()
                .atMost(Duration.ofSeconds(5));
        assertNotNull(redis.value(String.class).get(key));
    }

    double cleanupFailures() {
        String metrics = given().port(management.getPort()).accept("text/plain").get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith("strata_events_failed_total")
                && l.contains("group=\"kyc-object-cleanup\"")).mapToDouble(l -> Double.parseDouble(
                        l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    int stat(String key) {
        return given().header("Authorization", "Bearer " + gatewayToken).queryParam("bucket", "kyc-documents")
                .queryParam("key", key).get(gatewayUrl + "/internal/objects/stat").statusCode();
    }

    long count(String sql, String id) {
        return pool.preparedQuery(sql).execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(5)).iterator().next()
                .getLong(0);
    }
}
