package dev.strata.storage.domain;

import java.time.Instant;

/** What the gateway knows about a stored object. */
public record ObjectInfo(String bucket, String key, long size, String contentType, String etag, Instant lastModified) {
}
