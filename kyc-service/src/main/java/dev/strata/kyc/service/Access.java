package dev.strata.kyc.service;

import dev.strata.kyc.domain.KycApplication;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.security.Caller;

/** Who may see and touch an application. Anyone else learns nothing: not even that it exists (404). */
public final class Access {

    public static final String REVIEWER = "reviewer";
    public static final String ADMIN = "admin";

    private Access() {
    }

    public static boolean staff(Caller caller) {
        return caller.hasRole(REVIEWER) || caller.hasRole(ADMIN);
    }

    /** Owner (by user id), reviewers and admins read; anyone else gets the same 404 as for a missing id. */
    public static KycApplication readable(KycApplication app, Caller caller) {
        if (app == null || !(app.ownedBy(caller.userId()) || staff(caller))) {
            throw ProblemException.notFound("No such KYC application");
        }
        return app;
    }

    /** Only the applicant changes their own application (staff may read it, not edit it). */
    public static KycApplication ownedBy(KycApplication app, Caller caller) {
        readable(app, caller);
        if (!app.ownedBy(caller.userId())) {
            throw ProblemException.forbidden("Only the applicant can change this application");
        }
        return app;
    }
}
