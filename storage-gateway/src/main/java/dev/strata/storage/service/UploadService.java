package dev.strata.storage.service;

import java.util.List;
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
 * else's lookup finds nothing (404).
 */
@ApplicationScoped
public class UploadService {

    private final ObjectStore store;
    private final ContentVerifier verifier;
    private final StorageMetrics metrics;
    private final StorageConfig config;

    public UploadService(ObjectStore store, ContentVerifier verifier, StorageMetrics metrics, StorageConfig config) {
        this.store = store;
        this.verifier = verifier;
        this.metrics = metrics;
        this.config = config;
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
        UUID uploadId = UUID.randomUUID();
        String name = ObjectKeys.withExtensionFor(ObjectKeys.sanitizeFileName(fileName, config.maxFileNameLength()),
                type, config.maxFileNameLength());
        String key = ObjectKeys.tempUploadKey(userId, uploadId, name);
        return store.blocking(() -> {
            // the policy allows no more than the declared size, which is itself within the bucket's limit
            PresignedPost post = store.presignPostNow(limits.name(), key, type, size, config.presignExpiry(), "upload");
            return new UploadTicket(uploadId, limits.name(), key, name, type, size, post);
        });
    }

    public Uni<CompletedUpload> complete(String userId, String uploadId) {
        StorageConfig.UserUploads limits = config.buckets().userUploads();
        return store.blocking(() -> {
            ObjectInfo listed = find(userId, uploadId).orElseThrow(StorageProblems::notUploaded);
            ObjectInfo info = store.statNow(listed.bucket(), listed.key()).orElseThrow(StorageProblems::notUploaded);
            String type;
            try {
                // the declared type is recorded in the key's extension (see request)
                type = verifier.verifyOrDelete(info, limits, declaredType(info.key()), true);
            } catch (ProblemException e) {
                metrics.completion(false, "content");
                throw e;
            }
            metrics.completion(true, "verified");
            return new CompletedUpload(UUID.fromString(uploadId), info.bucket(), info.key(), type, info.size());
        });
    }

    public Uni<PresignedUrl> downloadUrl(String userId, String uploadId) {
        return store.blocking(() -> {
            ObjectInfo listed = find(userId, uploadId).orElseThrow(StorageProblems::notUploaded);
            ObjectInfo info = store.statNow(listed.bucket(), listed.key()).orElseThrow(StorageProblems::notUploaded);
            // verified again (one stat and a 16-byte ranged GET), so no URL is ever issued for content that is
            // not what it claims, whether or not the client called complete
            try {
                verifier.verifyOrDelete(info, config.buckets().userUploads(), declaredType(info.key()), true);
            } catch (ProblemException e) {
                metrics.completion(false, "download-check");
                throw e;
            }
            return store.presignGetNow(info.bucket(), info.key(), config.presignExpiry(),
                    ObjectKeys.fileNameOf(info.key()), "download");
        });
    }

    private static String declaredType(String key) {
        String type = ContentSniffer.typeForName(ObjectKeys.fileNameOf(key));
        // a key without a known extension cannot have come from request(): accept nothing
        return type == null ? "application/x-unknown" : type;
    }

    /** The caller's object for this upload id; someone else's upload is simply not found. */
    private Optional<ObjectInfo> find(String userId, String uploadId) throws Exception {
        UUID id;
        try {
            id = UUID.fromString(uploadId);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!ObjectKeys.isSafeUserId(userId)) {
            return Optional.empty();
        }
        List<ObjectInfo> found = store.listNow(config.buckets().userUploads().name(),
                ObjectKeys.tempUploadPrefix(userId, id), o -> true);
        return found.stream().findFirst();
    }
}
