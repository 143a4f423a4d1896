package dev.strata.storage.domain;

import java.util.UUID;

public record CompletedUpload(UUID uploadId, String bucket, String key, String contentType, long size) {
}
