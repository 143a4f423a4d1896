package dev.strata.storage.service;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.CompletedUpload;
import dev.strata.storage.domain.ContentSniffer;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.ObjectKeys;
import dev.strata.storage.domain.PresignedPost;
import dev.strata.storage.domain.PresignedUrl;
import dev.strata.storage.domain.UploadTicket;

/**
 * User uploads into {@code user-uploads}. Ownership needs no table: the key is generated here as
 * {@code {userId}/temp/{uploadId}/{name}}, so an upload is found only under the caller's own prefix and anyone
 * else's lookup finds nothing (404). Completion moves it to {@code {userId}/done/{uploadId}/{name}}, a key no
 * policy is issued for, and only that key is ever read afterwards.
 */
@ApplicationScoped
public class UploadService {

    private final ObjectStore store;
    private final ContentVerifier verifier;
    private final StorageMetrics metrics;
    private final StorageConfig config;
    private final UploadQuota quota;
    private final Clock clock;

    public UploadService(ObjectStore store, ContentVerifier verifier, StorageMetrics metrics, StorageConfig config,
            UploadQuota quota, Clock clock) {
        this.store = store;
        this.verifier = verifier;
        this.metrics = metrics;
        this.config = config;
        this.quota = quota;
        this.clock = clock;
    }

    public Uni<UploadTicket> request(String userId, String fileName, String contentType, long size) {
        StorageConfig.UserUploads limits = config.buckets().userUploads();
        String type = ContentSniffer.baseType(contentType);
        if (type == null || !limits.allowedTypes().contains(type)) {
            return Uni.createFrom().failure(ContentVerifier.notAllowedType("contentType", limits));
        }
        if (size > limits.maxSize()) {
            return Uni.createFrom().failure(ProblemException.invalidField("size",
                    "must be at most " + limits.maxSize() + " bytes"));
        }
        if (!ObjectKeys.isSafeUserId(userId)) {
            return Uni.createFrom().failure(ProblemException.forbidden("This account cannot upload"));
        }
        UUID uploadId = UUID.randomUUID();
        String name = ObjectKeys.withExtensionFor(ObjectKeys.sanitizeFileName(fileName, config.maxFileNameLength()),
                type, config.maxFileNameLength());
        String key = ObjectKeys.tempUploadKey(userId, uploadId, name);
        return store.blocking(() -> {
            synchronized (quota.lockFor(userId)) {
                // pending tickets count at their declared size: each one is an upload slot until it expires
                quota.check(userId, size, clock.instant());
                // the policy allows no more than the declared size, which is itself within the bucket's limit
                PresignedPost post = store.presignPostNow(limits.name(), key, type, size, config.presignExpiry(),
                        "upload");
                quota.reserve(userId, uploadId, size, post.expiresAt());
                return new UploadTicket(uploadId, limits.name(), key, name, type, size, post);
            }
        });
    }

    public Uni<CompletedUpload> complete(String userId, String uploadId) {
        return store.blocking(() -> {
            UUID id = parse(userId, uploadId).orElseThrow(StorageProblems::notUploaded);
            if (completed(userId, id).isPresent()) {
                // the form is still valid until it expires: whatever was posted with it since is discarded
                discardTemp(userId, id);
                metrics.completion(false, "replay");
                throw StorageProblems.alreadyCompleted();
            }
            ObjectInfo info = completeNow(userId, id);
            return new CompletedUpload(id, info.bucket(), info.key(), info.contentType(), info.size());
        });
    }

    public Uni<PresignedUrl> downloadUrl(String userId, String uploadId) {
        return store.blocking(() -> {
            UUID id = parse(userId, uploadId).orElseThrow(StorageProblems::notUploaded);
            Optional<ObjectInfo> done = completed(userId, id);
            ObjectInfo info;
            if (done.isPresent()) {
                info = store.statNow(done.get().bucket(), done.get().key()).orElseThrow(StorageProblems::notUploaded);
                // verified again (one stat and a 16-byte ranged GET), so no URL is ever issued for content that
                // is not what it claims
                try {
                    verifier.verifyOrDelete(info, config.buckets().userUploads(), declaredType(info.key()), true);
                } catch (ProblemException e) {
                    metrics.completion(false, "download-check");
                    throw e;
                }
            } else {
                // not completed by the client: completing it here is the same move and verification, so the
                // temp key (which the form can still write) is never what a URL points at
                info = completeNow(userId, id);
            }
            return store.presignGetNow(info.bucket(), info.key(), config.presignExpiry(),
                    ObjectKeys.fileNameOf(info.key()), "download");
        });
    }

    /**
     * Copies the temp object to its completed key, verifies the copy (so what is verified is exactly what stays:
     * a re-POST during completion changes only the temp key) and deletes the temp key. Rejected → both deleted.
     */
    private ObjectInfo completeNow(String userId, UUID id) throws Exception {
        StorageConfig.UserUploads limits = config.buckets().userUploads();
        String bucket = limits.name();
        ObjectInfo temp = store.listNow(bucket, ObjectKeys.tempUploadPrefix(userId, id), o -> true).stream()
                .findFirst().orElseThrow(StorageProblems::notUploaded);
        String finalKey = ObjectKeys.completedUploadKey(userId, id, ObjectKeys.fileNameOf(temp.key()));
        store.copyNow(bucket, temp.key(), bucket, finalKey);
        ObjectInfo info = store.statNow(bucket, finalKey).orElseThrow(StorageProblems::notUploaded);
        String type;
        try {
            // the declared type is recorded in the key's extension (see request)
            type = verifier.verifyOrDelete(info, limits, declaredType(finalKey), true);
        } catch (ProblemException e) {
            discardTemp(userId, id);
            metrics.completion(false, "content");
            throw e;
        }
        discardTemp(userId, id);
        metrics.completion(true, "verified");
        return new ObjectInfo(bucket, finalKey, info.size(), type, info.etag(), info.lastModified());
    }

    private Optional<ObjectInfo> completed(String userId, UUID id) throws Exception {
        return store.listNow(config.buckets().userUploads().name(), ObjectKeys.completedUploadPrefix(userId, id),
                o -> true).stream().findFirst();
    }

    private void discardTemp(String userId, UUID id) throws Exception {
        String bucket = config.buckets().userUploads().name();
        for (ObjectInfo t : store.listNow(bucket, ObjectKeys.tempUploadPrefix(userId, id), o -> true)) {
            store.deleteNow(bucket, t.key());
        }
    }

    private static String declaredType(String key) {
        String type = ContentSniffer.typeForName(ObjectKeys.fileNameOf(key));
        // a key without a known extension cannot have come from request(): accept nothing
        return type == null ? "application/x-unknown" : type;
    }

    /** The upload id, when it is one and the caller can own uploads; someone else's upload is simply not found. */
    private static Optional<UUID> parse(String userId, String uploadId) {
        if (uploadId == null || !ObjectKeys.isSafeUserId(userId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(uploadId));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
