package dev.strata.kyc.service;

import java.util.List;
import java.util.Map;

import dev.strata.kyc.domain.Status;
import dev.strata.platform.problem.Problem;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;

/** kyc-service's stable problem types (under https://strata.dev/problems/kyc/). */
public final class KycProblems {

    public static final String BASE = "https://strata.dev/problems/kyc/";

    private KycProblems() {
    }

    public static ProblemException invalidTransition(Status from, Status to) {
        return of(ProblemType.CONFLICT, "invalid-transition",
                "An application in status " + from.id() + " cannot move to " + to.id());
    }

    public static ProblemException notEditable(Status status) {
        return of(ProblemType.CONFLICT, "not-editable", "An application in status " + status.id()
                + " cannot be changed; only draft and additional_info_required applications can");
    }

    public static ProblemException openApplicationExists() {
        return of(ProblemType.CONFLICT, "open-application-exists",
                "You already have an open KYC application; continue that one");
    }

    public static ProblemException retained(Status status) {
        return of(ProblemType.CONFLICT, "retained", "An application in status " + status.id()
                + " is kept for regulatory retention and cannot be deleted; only drafts can be withdrawn");
    }

    public static ProblemException incomplete(List<Problem.FieldError> missing) {
        return new ProblemException(ProblemType.UNPROCESSABLE, BASE + "incomplete",
                "The application is not complete enough to submit", missing, Map.of(), null);
    }

    public static ProblemException claimedByAnother() {
        return of(ProblemType.CONFLICT, "claimed-by-another", "Another reviewer has claimed this application");
    }

    public static ProblemException ownApplication() {
        return of(ProblemType.FORBIDDEN, "own-application", "Reviewers cannot review their own application");
    }

    public static ProblemException uploadMissing() {
        return of(ProblemType.CONFLICT, "upload-missing",
                "Nothing has been uploaded for this document yet: upload the file with the presigned POST first");
    }

    private static ProblemException of(ProblemType type, String slug, String detail) {
        return new ProblemException(type, BASE + slug, detail, null, Map.of(), null);
    }
}
