package dev.strata.kyc.service;

import dev.strata.platform.problem.StoreFailures;

/** Store failures of kyc-service as clients see them (see {@link StoreFailures}). */
public final class Failures {

    private Failures() {
    }

    public static Throwable translate(Throwable e) {
        return StoreFailures.translate(e, "The KYC database");
    }

    /** True when {@code e} is the violation of the named unique index. */
    public static boolean uniqueViolation(Throwable e, String index) {
        return StoreFailures.uniqueViolation(e, index);
    }
}
