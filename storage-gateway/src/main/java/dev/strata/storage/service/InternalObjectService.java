package dev.strata.storage.service;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.BucketRole;
import dev.strata.storage.domain.ContentSniffer;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.ObjectKeys;
import dev.strata.storage.domain.PresignedPost;
import dev.strata.storage.domain.PresignedUrl;

/**
 * Object operations for other services (kyc-service). Buckets are named by role, keys must already be safe
 * (they are refused, not repaired: a service sending an unsafe key has a bug), and when a user id is given for
 * {@code user-uploads} the key must lie under that user's prefix.
 */
@ApplicationScoped
public class InternalObjectService {

    private final ObjectStore store;
    private final ContentVerifier verifier;
    private final StorageConfig config;

    public InternalObjectService(ObjectStore store, ContentVerifier verifier, StorageConfig config) {
        this.store = store;
        this.verifier = verifier;
        this.config = config;
    }

    public Uni<PresignedPost> presignUpload(String bucket, String key, String userId, String contentType,
            Integer expirySeconds) {
        StorageConfig.BucketLimits limits = limits(bucket, "bucket");
        checkKey(bucket, key, userId);
        String type = ContentSniffer.baseType(contentType);
        if (type == null || !limits.allowedTypes().contains(type)) {
            throw ContentVerifier.notAllowedType("contentType", limits);
        }
        Duration expiry = expiry(expirySeconds);
        return store.blocking(() -> store.presignPostNow(limits.name(), key, type, limits.maxSize(), expiry,
                "internal-upload"));
    }

    public Uni<PresignedUrl> presignDownload(String bucket, String key, String userId, String fileName,
            Integer expirySeconds) {
        StorageConfig.BucketLimits limits = limits(bucket, "bucket");
        checkKey(bucket, key, userId);
        Duration expiry = expiry(expirySeconds);
        String name = ObjectKeys.sanitizeFileName(fileName == null ? ObjectKeys.fileNameOf(key) : fileName,
                config.maxFileNameLength());
        return store.blocking(() -> {
            if (store.statNow(limits.name(), key).isEmpty()) {
                throw ProblemException.notFound("No such object");
            }
            return store.presignGetNow(limits.name(), key, expiry, name, "internal-download");
        });
    }

    public Uni<ObjectInfo> stat(String bucket, String key, String userId) {
        StorageConfig.BucketLimits limits = limits(bucket, "bucket");
        checkKey(bucket, key, userId);
        return store.blocking(() -> store.statNow(limits.name(), key)
                .orElseThrow(() -> ProblemException.notFound("No such object")));
    }

    /**
     * Copies (promotes) an object, verifying it against the target bucket's limits first; the source stays
     * (temporary uploads are swept later). Copying onto an existing key overwrites it (idempotent retries).
     */
    public Uni<ObjectInfo> copy(String sourceBucket, String sourceKey, String targetBucket, String targetKey,
            String userId) {
        StorageConfig.BucketLimits source = limits(sourceBucket, "sourceBucket");
        StorageConfig.BucketLimits target = limits(targetBucket, "targetBucket");
        checkKey(sourceBucket, sourceKey, userId, "sourceKey");
        checkKey(targetBucket, targetKey, null, "targetKey");
        return store.blocking(() -> {
            ObjectInfo info = store.statNow(source.name(), sourceKey)
                    .orElseThrow(() -> ProblemException.notFound("No such source object"));
            verifier.verifyOrDelete(info, target, null, false);
            store.copyNow(source.name(), sourceKey, target.name(), targetKey);
            return store.statNow(target.name(), targetKey).orElseThrow(() -> new IllegalStateException("copy vanished"));
        });
    }

    public Uni<Void> delete(String bucket, String key, String userId) {
        StorageConfig.BucketLimits limits = limits(bucket, "bucket");
        checkKey(bucket, key, userId);
        return store.delete(limits.name(), key);
    }

    private StorageConfig.BucketLimits limits(String bucket, String field) {
        BucketRole role = BucketRole.fromId(bucket == null ? "" : bucket)
                .orElseThrow(() -> StorageProblems.unknownBucket(field));
        return switch (role) {
            case KYC_DOCUMENTS -> config.buckets().kycDocuments();
            case TOKEN_METADATA -> config.buckets().tokenMetadata();
            case USER_UPLOADS -> config.buckets().userUploads();
        };
    }

    private void checkKey(String bucket, String key, String userId) {
        checkKey(bucket, key, userId, "key");
    }

    private void checkKey(String bucket, String key, String userId, String field) {
        if (!ObjectKeys.isSafeKey(key)) {
            throw ProblemException.invalidField(field,
                    "must be '/'-separated segments of [A-Za-z0-9._-] (no '.' or '..'), at most "
                            + ObjectKeys.MAX_KEY_LENGTH + " characters");
        }
        if (BucketRole.USER_UPLOADS.id().equals(bucket) && (userId == null || userId.isBlank())) {
            // user uploads are only ever touched on behalf of their uploader
            throw ProblemException.invalidField("userId", "is required for user-uploads");
        }
        if (userId != null && BucketRole.USER_UPLOADS.id().equals(bucket) && !ObjectKeys.isOwnedBy(key, userId)) {
            // not the acting user's object: indistinguishable from a missing one
            throw ProblemException.notFound("No such object");
        }
    }

    private Duration expiry(Integer seconds) {
        long max = config.presignExpiry().toSeconds();
        if (seconds == null) {
            return config.presignExpiry();
        }
        if (seconds < 1 || seconds > max) {
            throw ProblemException.invalidField("expirySeconds", "must be between 1 and " + max);
        }
        return Duration.ofSeconds(seconds);
    }

}
