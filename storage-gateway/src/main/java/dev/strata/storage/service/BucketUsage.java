package dev.strata.storage.service;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

import dev.strata.storage.config.StorageConfig;

/**
 * Objects and bytes per bucket, without every replica listing every bucket: each period one replica takes
 * {@code storage:bucket-usage:lock} ({@code SET NX PX interval}; never released, so it also spaces the counts)
 * and counts each bucket with one streamed listing (at most {@code max-objects} keys), storing the figures in
 * {@code storage:bucket-usage:<bucket>}. Every replica then exports what Redis holds, so all report the same
 * figure (aggregate with {@code max}, not {@code sum}). Runs on a Vert.x timer, the work on a worker thread.
 */
@ApplicationScoped
public class BucketUsage {

    static final String LOCK = "storage:bucket-usage:lock";
    static final String PREFIX = "storage:bucket-usage:";
    private static final Logger LOG = Logger.getLogger(BucketUsage.class);

    /** What was last read from Redis for one bucket. */
    public record Figures(long objects, long bytes, boolean truncated, long countedAtMillis) {
    }

    private final ObjectStore store;
    private final StorageConfig config;
    private final Clock clock;
    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hashes;
    private final KeyCommands<String> keys;
    private final String replica = UUID.randomUUID().toString();
    private final Map<String, Figures> known = new ConcurrentHashMap<>();
    private final PeriodicJob job;

    public BucketUsage(ObjectStore store, StorageConfig config, StorageMetrics metrics, Clock clock, Vertx vertx,
            RedisDataSource redis) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.job = new PeriodicJob(vertx, "Bucket usage count", this::tick);
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.keys = redis.key(String.class);
        for (String bucket : buckets()) {
            // NaN until a count is known: no figure is better than a made-up zero
            Gauge.builder("strata.storage.bucket.objects", known, k -> figure(k, bucket, Figures::objects))
                    .description("Objects in the bucket at the last count (current versions)").tag("bucket", bucket)
                    .register(metrics.registry());
            Gauge.builder("strata.storage.bucket.bytes", known, k -> figure(k, bucket, Figures::bytes))
                    .description("Bytes in the bucket at the last count").tag("bucket", bucket).baseUnit("bytes")
                    .register(metrics.registry());
            Gauge.builder("strata.storage.bucket.count.truncated", known,
                    k -> figure(k, bucket, f -> f.truncated() ? 1 : 0))
                    .description("1 when the last count stopped at max-objects (the figures are a lower bound)")
                    .tag("bucket", bucket).register(metrics.registry());
            Gauge.builder("strata.storage.bucket.counted.at", known, k -> figure(k, bucket, Figures::countedAtMillis) / 1000.0)
                    .description("When the bucket was last counted (Unix time)").tag("bucket", bucket).baseUnit("seconds")
                    .register(metrics.registry());
        }
    }

    private static double figure(Map<String, Figures> known, String bucket,
            java.util.function.ToLongFunction<Figures> what) {
        Figures f = known.get(bucket);
        return f == null ? Double.NaN : what.applyAsLong(f);
    }

    List<String> buckets() {
        StorageConfig.Buckets b = config.buckets();
        return List.of(b.kycDocuments().name(), b.tokenMetadata().name(), b.userUploads().name());
    }

    void onStart(@Observes StartupEvent event) {
        StorageConfig.Usage c = config.usage();
        if (c.enabled()) {
            job.start(c.initialDelay(), c.interval());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        job.stop();
    }

    /**
     * One period: count the buckets if this replica takes the lock, then export what Redis holds. Blocking.
     *
     * @return whether this replica counted
     */
    public synchronized boolean tick() throws Exception {
        // a little shorter than the period, so the replica whose timer fires next after it finds the lock gone
        long lockMillis = Math.max(1000, config.usage().interval().toMillis() * 9 / 10);
        // raw SET: the typed API does not say whether NX applied (OK vs nil); Redis 6.2 has no SET NX GET
        var answer = redis.execute("SET", LOCK, replica, "NX", "PX", Long.toString(lockMillis));
        boolean counting = answer != null && "OK".equals(answer.toString());
        if (counting) {
            for (String bucket : buckets()) {
                ObjectStore.BucketCount c = store.countNow(bucket, config.usage().maxObjects());
                if (c.truncated()) {
                    LOG.warnf("Bucket %s has more than %d objects: its usage figures are a lower bound", bucket,
                            config.usage().maxObjects());
                }
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("objects", Long.toString(c.objects()));
                fields.put("bytes", Long.toString(c.bytes()));
                fields.put("truncated", Boolean.toString(c.truncated()));
                fields.put("countedAt", Long.toString(clock.millis()));
                hashes.hset(PREFIX + bucket, fields);
                // figures nobody refreshes for a day are gone rather than trusted
                keys.expire(PREFIX + bucket, Duration.ofDays(1));
            }
        }
        refresh();
        return counting;
    }

    /** Reads the stored figures into the gauges (what every replica does each period). Blocking. */
    public void refresh() {
        for (String bucket : buckets()) {
            Map<String, String> h = hashes.hgetall(PREFIX + bucket);
            if (h == null || h.get("objects") == null) {
                known.remove(bucket);
                continue;
            }
            known.put(bucket, new Figures(Long.parseLong(h.get("objects")), Long.parseLong(h.get("bytes")),
                    Boolean.parseBoolean(h.get("truncated")), Long.parseLong(h.getOrDefault("countedAt", "0"))));
        }
    }
}
