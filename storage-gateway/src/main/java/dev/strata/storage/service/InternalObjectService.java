package dev.strata.storage.service;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.BucketRole;
import dev.strata.storage.domain.ContentSniffer;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.ObjectKeys;
import dev.strata.storage.domain.ObjectPage;
import dev.strata.storage.domain.PresignedPost;
import dev.strata.storage.domain.PresignedUrl;
import dev.strata.storage.domain.VerifiedObject;

/**
 * Object operations for other services (kyc-service). Buckets are named by role, keys must already be safe
 * (they are refused, not repaired: a service sending an unsafe key has a bug), and when a user id is given for
 * {@code user-uploads} the key must lie under that user's prefix.
 */
@ApplicationScoped
public class InternalObjectService {

    static final int DEFAULT_PAGE = 500;
    static final int MAX_PAGE = 1000;

    private final ObjectStore store;
    private final ContentVerifier verifier;
    private final StorageMetrics metrics;
    private final StorageConfig config;

    public InternalObjectService(ObjectStore store, ContentVerifier verifier, StorageMetrics metrics,
            StorageConfig config) {
        this.store = store;
        this.verifier = verifier;
        this.metrics = metrics;
        this.config = config;
    }

    public Uni<PresignedPost> presignUpload(String bucket, String key, String userId, String contentType,
            Integer expirySeconds, Long maxSize) {
        StorageConfig.BucketLimits limits = limits(bucket, "bucket");
        checkKey(bucket, key, userId);
        String type = ContentSniffer.baseType(contentType);
        if (type == null || !limits.allowedTypes().contains(type)) {
            throw ContentVerifier.notAllowedType("contentType", limits);
        }
        if (maxSize != null && (maxSize < 1 || maxSize > limits.maxSize())) {
            throw ProblemException.invalidField("maxSize", "must be between 1 and " + limits.maxSize());
        }
        long size = maxSize == null ? limits.maxSize() : maxSize;
        Duration expiry = expiry(expirySeconds);
        return store.blocking(() -> store.presignPostNow(limits.name(), key, type, size, expiry, "internal-upload"));
    }

    /**
     * Checks a stored object against the bucket's limits and, when given, the exact declared type and size, then
     * hashes it (one streamed GET). Anything that does not match is deleted (422): nothing unverified stays behind.
     */
    public Uni<VerifiedObject> verify(String bucket, String key, String userId, String contentType, Long size) {
        StorageConfig.BucketLimits limits = limits(bucket, "bucket");
        checkKey(bucket, key, userId);
        String expected = contentType == null ? null : ContentSniffer.baseType(contentType);
        if (contentType != null && (expected == null || !limits.allowedTypes().contains(expected))) {
            // a declaration no upload URL could have been issued for is the caller's bug, not the file's
            throw ContentVerifier.notAllowedType("contentType", limits);
        }
        if (size != null && size < 1) {
            throw ProblemException.invalidField("size", "must be positive");
        }
        return store.blocking(() -> {
            ObjectInfo info = store.statNow(limits.name(), key)
                    .orElseThrow(() -> ProblemException.notFound("No such object"));
            ContentVerifier.Verified v;
            try {
                v = verifier.verifyAndHashOrDelete(info, limits, expected, size);
            } catch (ProblemException e) {
                if (e.type() == ProblemType.UNPROCESSABLE) {
                    metrics.completion(false, "internal-verify");
                }
                throw e;
            }
            metrics.completion(true, "internal-verify");
            return new VerifiedObject(bucket, key, info.size(), v.contentType(), info.etag(), info.lastModified(),
                    v.sha256());
        });
    }

    /**
     * One page of keys in key order (ListObjects v2 with start-after). For user-uploads the listing never leaves
     * the acting user's prefix.
     */
    public Uni<ObjectPage> list(String bucket, String prefix, String startAfter, String limit, String userId) {
        StorageConfig.BucketLimits limits = limits(bucket, "bucket");
        int n = pageSize(limit);
        String p = prefix == null || prefix.isEmpty() ? null : prefix;
        if (p != null && !ObjectKeys.isSafeKey(p.endsWith("/") ? p.substring(0, p.length() - 1) : p)) {
            throw ProblemException.invalidField("prefix",
                    "must be '/'-separated segments of [A-Za-z0-9._-] (no '.' or '..'), optionally ending with '/'");
        }
        String from = startAfter == null || startAfter.isEmpty() ? null : startAfter;
        if (from != null && !ObjectKeys.isSafeKey(from)) {
            throw ProblemException.invalidField("startAfter", "must be a key (use the previous page's nextStartAfter)");
        }
        if (BucketRole.USER_UPLOADS.id().equals(bucket)) {
            requireUserId(userId);
            String own = userId + "/";
            if (p == null) {
                p = own;
            } else if (!p.startsWith(own)) {
                // another user's uploads: as if there were none to list
                throw ProblemException.notFound("No such prefix");
            }
        }
        String scope = p;
        return store.blocking(() -> store.listPageNow(limits.name(), scope, from, n)).map(items -> new ObjectPage(
                items.stream().map(i -> new ObjectPage.Item(i.key(), i.size(), i.lastModified())).toList(),
                items.size() == n ? items.get(n - 1).key() : null));
    }

    private static int pageSize(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.invalidField("limit", "must be a whole number between 1 and " + MAX_PAGE);
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

    /**
     * Each calling service may use only the buckets configured for it (token-metadata: none through this API; its
     * writes go through the public API with an admin or issuer session).
     */
    public void authorize(String caller, String bucket, String field) {
        StorageConfig.BucketLimits limits = limits(bucket, field);
        if (caller == null || !limits.internalCallers().orElse(java.util.List.of()).contains(caller)) {
            throw ProblemException.forbidden("The calling service may not use bucket " + bucket);
        }
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
        if (BucketRole.USER_UPLOADS.id().equals(bucket)) {
            // user uploads are only ever touched on behalf of their uploader
            requireUserId(userId);
        }
        if (userId != null && BucketRole.USER_UPLOADS.id().equals(bucket) && !ObjectKeys.isOwnedBy(key, userId)) {
            // not the acting user's object: indistinguishable from a missing one
            throw ProblemException.notFound("No such object");
        }
    }

    /** A user id that is one key segment: "a/temp" must not reach into user a's uploads. */
    private static void requireUserId(String userId) {
        if (userId == null || userId.isBlank()) {
            throw ProblemException.invalidField("userId", "is required for user-uploads");
        }
        if (!ObjectKeys.isSafeUserId(userId)) {
            throw ProblemException.invalidField("userId", "must match [A-Za-z0-9_-]{1,64}");
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
