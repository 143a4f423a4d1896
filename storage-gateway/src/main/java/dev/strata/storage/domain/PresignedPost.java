package dev.strata.storage.domain;

import java.time.Instant;
import java.util.Map;

/** A browser-style POST upload: send {@code fields} then the file as multipart/form-data to {@code url}. */
public record PresignedPost(String url, Map<String, String> fields, Instant expiresAt) {
}
