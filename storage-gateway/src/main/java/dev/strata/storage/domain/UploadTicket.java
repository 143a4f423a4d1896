package dev.strata.storage.domain;

import java.util.UUID;

/** What a client needs to upload one file: where, how, and until when. */
public record UploadTicket(UUID uploadId, String bucket, String key, String fileName, String contentType,
        long maxSize, PresignedPost upload) {
}
