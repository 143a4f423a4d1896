package dev.strata.storage.domain;

import java.util.List;
import java.util.Optional;

/**
 * What bootstrap asked of one bucket's backend, and what it got. {@code required} lists the settings without which
 * the bucket must not be used (e.g. default encryption when {@code strata.storage.require-encryption}); any of them
 * refused makes the gateway unready. The others are compensated by the gateway itself when refused.
 */
public record BucketSettings(String role, String bucket, List<String> applied, List<Refusal> refused,
        List<String> required) {

    /** A setting the backend refused (or accepted without applying), with the backend's reason. */
    public record Refusal(String setting, String reason) {
    }

    public Optional<Refusal> refusal(String setting) {
        return refused.stream().filter(r -> r.setting().equals(setting)).findFirst();
    }

    /** Required settings the backend refused. */
    public List<Refusal> failedRequirements() {
        return refused.stream().filter(r -> required.contains(r.setting())).toList();
    }

    /** {@code ok}, {@code degraded} (a refusal the gateway compensates) or {@code failed} (a required one). */
    public String state() {
        return !failedRequirements().isEmpty() ? "failed" : refused.isEmpty() ? "ok" : "degraded";
    }
}
