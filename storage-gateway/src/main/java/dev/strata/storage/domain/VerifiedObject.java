package dev.strata.storage.domain;

import java.time.Instant;

/** A stored object that passed verification, with the SHA-256 (lower-case hex) of exactly the bytes checked. */
public record VerifiedObject(String bucket, String key, long size, String contentType, String etag,
        Instant lastModified, String sha256) {
}
