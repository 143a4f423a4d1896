package dev.strata.storage.domain;

import java.util.List;

/** What bootstrap asked of one bucket's backend, and what it got. */
public record BucketSettings(String role, String bucket, List<String> applied, List<Refusal> refused) {

    /** A setting the backend refused (or accepted without applying), with the backend's reason. */
    public record Refusal(String setting, String reason) {
    }
}
