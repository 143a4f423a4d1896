package dev.strata.storage.service;

import jakarta.enterprise.context.ApplicationScoped;

import dev.strata.platform.problem.ProblemException;
import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.ContentSniffer;
import dev.strata.storage.domain.ObjectInfo;

/**
 * Checks a stored object against a bucket's limits: size, allowed type and leading bytes. A rejected object is
 * deleted before the problem is raised, so nothing unverified stays behind.
 */
@ApplicationScoped
public class ContentVerifier {

    private final ObjectStore store;

    public ContentVerifier(ObjectStore store) {
        this.store = store;
    }

    /** A verified object: its base content type and the SHA-256 (lower-case hex) of exactly what was checked. */
    public record Verified(String contentType, String sha256) {
    }

    /**
     * @param expectedType the type the object must have, or null to accept any allowed type it was stored with
     * @return the verified base content type
     */
    public String verifyOrDelete(ObjectInfo info, StorageConfig.BucketLimits limits, String expectedType,
            boolean deleteOnReject) throws Exception {
        String type = ContentSniffer.baseType(info.contentType());
        String problem = metadataProblem(info, limits, expectedType, null);
        if (problem == null
                && !ContentSniffer.matches(type, store.headNow(info.bucket(), info.key(), ContentSniffer.PREFIX_LENGTH))) {
            problem = contentProblem(type);
        }
        if (problem != null) {
            throw reject(info, problem, deleteOnReject);
        }
        return type;
    }

    /**
     * Like {@link #verifyOrDelete} (always deleting on rejection), with an optional exact size, and hashing the
     * whole object: the metadata is checked first (nothing over the bucket's maximum is ever read), then one
     * streamed GET pinned to the stat'ed version yields both the leading bytes and the SHA-256.
     *
     * @param expectedSize the exact size the object must have, or null
     */
    public Verified verifyAndHashOrDelete(ObjectInfo info, StorageConfig.BucketLimits limits, String expectedType,
            Long expectedSize) throws Exception {
        String type = ContentSniffer.baseType(info.contentType());
        String problem = metadataProblem(info, limits, expectedType, expectedSize);
        if (problem != null) {
            throw reject(info, problem, true);
        }
        ObjectStore.Digest digest = store.digestNow(info, ContentSniffer.PREFIX_LENGTH);
        if (!ContentSniffer.matches(type, digest.head())) {
            throw reject(info, contentProblem(type), true);
        }
        return new Verified(type, digest.sha256());
    }

    private static String metadataProblem(ObjectInfo info, StorageConfig.BucketLimits limits, String expectedType,
            Long expectedSize) {
        String type = ContentSniffer.baseType(info.contentType());
        if (info.size() <= 0) {
            return "The uploaded file is empty";
        } else if (expectedSize != null && info.size() != expectedSize) {
            return "The uploaded file has " + info.size() + " bytes, not the declared " + expectedSize;
        } else if (info.size() > limits.maxSize()) {
            return "The uploaded file is larger than " + limits.maxSize() + " bytes";
        } else if (type == null || !limits.allowedTypes().contains(type)) {
            return "The uploaded file's type is not allowed";
        } else if (expectedType != null && !expectedType.equals(type)) {
            return "The uploaded file's type differs from the declared one";
        }
        return null;
    }

    private static String contentProblem(String type) {
        return "The uploaded file's content does not match its declared type " + type;
    }

    private ProblemException reject(ObjectInfo info, String problem, boolean delete) throws Exception {
        if (delete) {
            store.deleteNow(info.bucket(), info.key());
        }
        return StorageProblems.rejectedContent(problem + (delete ? "; it has been deleted" : ""));
    }

    static ProblemException notAllowedType(String field, StorageConfig.BucketLimits limits) {
        return ProblemException.invalidField(field, "must be one of " + String.join(", ", limits.allowedTypes()));
    }
}
