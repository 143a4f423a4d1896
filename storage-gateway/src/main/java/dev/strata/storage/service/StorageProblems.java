package dev.strata.storage.service;

import java.util.List;
import java.util.Map;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;

/** The gateway's specific problem types. */
public final class StorageProblems {

    public static final String BASE = "https://strata.dev/problems/storage/";

    private StorageProblems() {
    }

    /** The stored file is not what it claims (type, size or content): it has been deleted. */
    public static ProblemException rejectedContent(String detail) {
        return new ProblemException(ProblemType.UNPROCESSABLE, BASE + "content-rejected", detail, List.of(), Map.of(),
                null);
    }

    public static ProblemException notUploaded() {
        return new ProblemException(ProblemType.NOT_FOUND, BASE + "upload-not-found",
                "No uploaded object for this upload id", null, Map.of(), null);
    }

    public static ProblemException unknownBucket(String field) {
        return ProblemException.invalidField(field, "must be one of kyc-documents, token-metadata, user-uploads");
    }

    /** Not time-based (it frees up when uploads are deleted or expire), so 409 rather than 429. */
    public static ProblemException quotaExceeded(String detail) {
        return new ProblemException(ProblemType.CONFLICT, BASE + "quota-exceeded", detail, null, Map.of(), null);
    }

    /** The upload was completed already; whatever was posted since with the same form is discarded. */
    public static ProblemException alreadyCompleted() {
        return new ProblemException(ProblemType.CONFLICT, BASE + "upload-already-completed",
                "This upload was completed already; request a new upload to send another file", null, Map.of(), null);
    }
}
