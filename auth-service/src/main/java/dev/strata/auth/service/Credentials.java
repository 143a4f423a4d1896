package dev.strata.auth.service;

import java.text.Normalizer;
import java.util.Locale;

import dev.strata.platform.problem.ProblemException;

/** Input rules shared by sign-up, sign-in and password change. */
public final class Credentials {

    public static final int MIN_PASSWORD = 8;
    public static final int MAX_PASSWORD = 128;

    private Credentials() {
    }

    public static String normalizeEmail(String email) {
        return email == null ? null : email.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * NFKC so that the same password typed on different keyboards hashes alike; length counts code points
     * (an emoji is one character, not two UTF-16 units).
     */
    public static String normalizePassword(String password) {
        return password == null ? null : Normalizer.normalize(password, Normalizer.Form.NFKC);
    }

    public static String requireNewPassword(String field, String password) {
        if (password == null) {
            throw ProblemException.invalidField(field, "must not be null");
        }
        String n = normalizePassword(password);
        int length = n.codePointCount(0, n.length());
        if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
            throw ProblemException.invalidField(field,
                    "must be between " + MIN_PASSWORD + " and " + MAX_PASSWORD + " characters");
        }
        return n;
    }
}
