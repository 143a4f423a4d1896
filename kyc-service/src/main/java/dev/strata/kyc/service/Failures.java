package dev.strata.kyc.service;

import dev.strata.platform.problem.StoreFailures;

/** Store failures of kyc-service as clients see them (see {@link StoreFailures}). */
public final class Failures {

    private Failures() {
    }

    /** {@code call} with a deadline; a timeout or a database failure is a 503 problem. */
    public static <T> io.smallrye.mutiny.Uni<T> bounded(io.smallrye.mutiny.Uni<T> call, java.time.Duration timeout) {
        return StoreFailures.bounded(call, timeout, "The KYC database");
    }

    public static Throwable translate(Throwable e) {
        return StoreFailures.translate(e, "The KYC database");
    }

    /** True when {@code e} is the violation of the named unique index. */
    public static boolean uniqueViolation(Throwable e, String index) {
        return StoreFailures.uniqueViolation(e, index);
    }
}
