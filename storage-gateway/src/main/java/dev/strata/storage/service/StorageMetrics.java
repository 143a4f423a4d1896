package dev.strata.storage.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The gateway's own meters (exposed at /q/metrics). */
@ApplicationScoped
public class StorageMetrics {

    private final MeterRegistry registry;
    private final Counter sweeperDeletions;

    public StorageMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.sweeperDeletions = Counter.builder("strata.storage.sweeper.deletions")
                .description("Expired temporary uploads deleted by the gateway's sweeper").register(registry);
    }

    public void presigned(String bucket, String operation) {
        Counter.builder("strata.storage.presigns").description("Presigned URLs issued")
                .tag("bucket", bucket).tag("operation", operation).register(registry).increment();
    }

    public void completion(boolean accepted, String reason) {
        Counter.builder("strata.storage.completions").description("Upload completions by outcome")
                .tag("outcome", accepted ? "accepted" : "rejected").tag("reason", reason)
                .register(registry).increment();
    }

    public void sweeperDeleted(int count) {
        sweeperDeletions.increment(count);
    }

    public MeterRegistry registry() {
        return registry;
    }
}
