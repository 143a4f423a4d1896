package dev.strata.rates;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.db.SlowStatements;
import dev.strata.platform.db.StatementNames;
import dev.strata.testing.StrataServersResource;

/**
 * The store metrics at /q/metrics, read as Prometheus scrapes them: the reactive pool's and the Redis client's
 * meters move when the stores are used and count failures; a statement slower than the threshold (100 ms, the
 * default) is counted under its parameter-free name and logged without its values, a fast one is not.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class StoreMetricsTest {

    /** Metrics are on the management interface, not the port RestAssured uses. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "/", management = true)
    java.net.URL management;

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SLOW = "strata_db_slow_statements_total";

    @Inject
    Pool pool;

    @Inject
    RedisDataSource redis;

    @Test
    void poolAndRedisClientMetricsAreExposedAndCountUseAndFailures() {
        String before = scrape();
        pool.query("select 1").execute().await().atMost(WAIT);
        // a failing statement and a failing Redis command, as the clients see them
        assertThrows(Exception.class, () -> pool.query("select 1/0").execute().await().atMost(WAIT));
        String key = "rates:test:metrics:" + UUID.randomUUID();
        redis.value(String.class).set(key, "not-a-number");
        assertThrows(Exception.class, () -> redis.value(String.class).incr(key));
        redis.key(String.class).del(key);
        // the rate limiter and the cache reach Redis on a read
        given().get("/api/rates/ping").then().statusCode(200);
        String after = scrape();

        for (String name : List.of("sql_pool_active", "sql_pool_idle", "sql_pool_queue_size",
                "sql_pool_queue_delay_seconds_count", "sql_pool_usage_seconds_count", "sql_pool_rejected_total",
                "postgresql_processing_seconds_count", "postgresql_reset_total", "redis_commands_duration_seconds_count",
                "redis_commands_failure_total", "redis_pool_queue_delay_seconds_count")) {
            assertTrue(value(after, name, "").isPresent(), name + " missing from /q/metrics");
        }
        assertTrue(value(after, "sql_pool_completed_total", "pool_type=\"sql\"").get()
                >= value(before, "sql_pool_completed_total", "pool_type=\"sql\"").orElse(0.0) + 2);
        assertTrue(value(after, "postgresql_reset_total", "").get()
                >= value(before, "postgresql_reset_total", "").orElse(0.0) + 1, "the failed statement is counted");
        assertTrue(value(after, "redis_commands_count_total", "").get()
                >= value(before, "redis_commands_count_total", "").orElse(0.0) + 4);
        assertTrue(value(after, "redis_commands_failure_total", "").get()
                >= value(before, "redis_commands_failure_total", "").orElse(0.0) + 1, "the failed INCR is counted");
    }

    @Test
    void aSlowStatementIsCountedByNameAndLoggedWithoutItsValuesAFastOneIsNot() {
        String secret = "secret-" + UUID.randomUUID();
        String bound = "select pg_sleep(0.25), $1::text as bound_probe";
        String inline = "select pg_sleep(0.25), '" + secret + "' as inline_probe";
        String boundName = StatementNames.nameOf(bound);
        String inlineName = StatementNames.nameOf(inline);
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(SlowStatements.class.getName());
        logger.addHandler(capture);
        try {
            double boundBefore = slowCount(scrape(), boundName);
            double inlineBefore = slowCount(scrape(), inlineName);

            pool.preparedQuery(bound).execute(Tuple.of(secret)).await().atMost(WAIT);
            pool.query(inline).execute().await().atMost(WAIT);

            String after = scrape();
            assertEquals(boundBefore + 1, slowCount(after, boundName), after);
            assertEquals(inlineBefore + 1, slowCount(after, inlineName), after);
            assertTrue(boundName.startsWith("select pg_sleep "), boundName);
            assertFalse(after.contains(secret), "a value reached /q/metrics");
            assertTrue(logged.stream().anyMatch(l -> l.contains("[" + boundName + "]") && l.contains("ms")), () -> logged.toString());
            assertTrue(logged.stream().anyMatch(l -> l.contains("[" + inlineName + "]")), () -> logged.toString());
            assertTrue(logged.stream().noneMatch(l -> l.contains(secret)), () -> "a value was logged: " + logged);
        } finally {
            logger.removeHandler(capture);
        }

        // a fast statement is not counted; only a run the client itself saw finish well under the threshold proves it
        String fast = "select 2 + 2 as fast_probe";
        String fastName = StatementNames.nameOf(fast);
        boolean conclusive = false;
        for (int attempt = 0; attempt < 20 && !conclusive; attempt++) {
            long start = System.nanoTime();
            pool.query(fast).execute().await().atMost(WAIT);
            conclusive = Duration.ofNanos(System.nanoTime() - start).toMillis() < 80;
        }
        assertTrue(conclusive, "the machine never ran the fast statement under 80 ms");
        assertEquals(0.0, slowCount(scrape(), fastName));
    }

    private String scrape() {
        return given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double slowCount(String metrics, String statement) {
        return value(metrics, SLOW, "statement=\"" + statement + "\"").orElse(0.0);
    }

    /** The sample of {@code name} whose labels contain {@code labels} (summed if several match). */
    static java.util.Optional<Double> value(String metrics, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$").matcher(metrics);
        Double sum = null;
        while (m.find()) {
            if (m.group(1) == null ? labels.isEmpty() : m.group(1).contains(labels)) {
                sum = (sum == null ? 0.0 : sum) + Double.parseDouble(m.group(2));
            }
        }
        return java.util.Optional.ofNullable(sum);
    }
}
