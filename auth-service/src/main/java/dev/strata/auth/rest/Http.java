package dev.strata.auth.rest;

import java.time.Duration;
import java.util.UUID;

import dev.strata.platform.problem.ProblemException;

final class Http {

    private Http() {
    }

    /** The session cookie: host-only (__Host-), never readable by scripts, sent on top-level navigations. */
    static String sessionCookie(String name, String token, Duration maxAge) {
        return name + "=" + token + "; Path=/; Max-Age=" + maxAge.toSeconds() + "; Secure; HttpOnly; SameSite=Lax";
    }

    static String clearedCookie(String name) {
        return name + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax";
    }

    static UUID uuid(String field, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ProblemException.invalidField(field, "must be a UUID");
        }
    }
}
