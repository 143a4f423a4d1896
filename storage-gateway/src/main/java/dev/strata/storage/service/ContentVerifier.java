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

    /**
     * @param expectedType the type the object must have, or null to accept any allowed type it was stored with
     * @return the verified base content type
     */
    public String verifyOrDelete(ObjectInfo info, StorageConfig.BucketLimits limits, String expectedType,
            boolean deleteOnReject) throws Exception {
        String type = ContentSniffer.baseType(info.contentType());
        String problem = null;
        if (info.size() <= 0) {
            problem = "The uploaded file is empty";
        } else if (info.size() > limits.maxSize()) {
            problem = "The uploaded file is larger than " + limits.maxSize() + " bytes";
        } else if (type == null || !limits.allowedTypes().contains(type)) {
            problem = "The uploaded file's type is not allowed";
        } else if (expectedType != null && !expectedType.equals(type)) {
            problem = "The uploaded file's type differs from the declared one";
        } else if (!ContentSniffer.matches(type, store.headNow(info.bucket(), info.key(), ContentSniffer.PREFIX_LENGTH))) {
            problem = "The uploaded file's content does not match its declared type " + type;
        }
        if (problem != null) {
            if (deleteOnReject) {
                store.deleteNow(info.bucket(), info.key());
            }
            throw StorageProblems.rejectedContent(problem + (deleteOnReject ? "; it has been deleted" : ""));
        }
        return type;
    }

    static ProblemException notAllowedType(String field, StorageConfig.BucketLimits limits) {
        return ProblemException.invalidField(field, "must be one of " + String.join(", ", limits.allowedTypes()));
    }
}
