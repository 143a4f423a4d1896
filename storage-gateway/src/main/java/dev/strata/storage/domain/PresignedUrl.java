package dev.strata.storage.domain;

import java.time.Instant;

public record PresignedUrl(String url, String method, Instant expiresAt) {
}
