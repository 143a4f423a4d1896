package dev.strata.storage.health;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.service.S3Clients;
import dev.strata.storage.service.StorageMetrics;

/**
 * Ready only while S3 answers: a probe ({@code HEAD} of the user-uploads bucket) every 2 s on a worker thread, one
 * at a time; DOWN when the last answer is older than 6 s (S3 stopped, unreachable, or frozen: the probe then
 * never returns in time). The check itself never calls S3, so a probe of the probe cannot hang.
 */
@Readiness
@ApplicationScoped
public class S3ReachabilityCheck implements HealthCheck {

    static final long PROBE_MS = 2_000;
    static final long STALE_MS = 6_000;

    private final MinioClient s3;
    private final String bucket;
    private final Vertx vertx;
    private final StorageMetrics metrics;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long lastAnswer;
    private volatile String lastError = "not probed yet";
    private long timer = -1;

    public S3ReachabilityCheck(S3Clients clients, StorageConfig config, Vertx vertx, StorageMetrics metrics) {
        this.s3 = clients.internal();
        this.metrics = metrics;
        this.bucket = config.buckets().userUploads().name();
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent e) {
        probe();
        timer = vertx.setPeriodic(PROBE_MS, id -> probe());
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void probe() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        vertx.executeBlocking(() -> {
            try {
                // counted like every other call: a failing probe shows in the S3 error rate before readiness flips
                metrics.s3("probe", () -> s3.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
                lastAnswer = System.nanoTime();
                lastError = null;
            } catch (Exception x) {
                lastError = x.getClass().getSimpleName();
            } finally {
                probing.set(false);
            }
            return null;
        }, false);
    }

    @Override
    public HealthCheckResponse call() {
        long age = lastAnswer == 0 ? Long.MAX_VALUE : (System.nanoTime() - lastAnswer) / 1_000_000;
        boolean up = age <= STALE_MS;
        var b = HealthCheckResponse.named("s3").status(up);
        if (!up) {
            b.withData("error", lastError == null ? "no answer for " + age + " ms" : lastError);
        }
        return b.build();
    }
}
