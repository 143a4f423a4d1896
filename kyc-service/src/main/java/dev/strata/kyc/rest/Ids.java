package dev.strata.kyc.rest;

import java.util.UUID;

import dev.strata.platform.problem.ProblemException;

final class Ids {

    private Ids() {
    }

    /** An id that is not a UUID names nothing: 404, like an id that does not exist. */
    static UUID parse(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ProblemException.notFound("No such " + what);
        }
    }
}
