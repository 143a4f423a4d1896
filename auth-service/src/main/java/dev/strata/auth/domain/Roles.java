package dev.strata.auth.domain;

import java.util.List;

public final class Roles {

    public static final String USER = "user";
    public static final String REVIEWER = "reviewer";
    public static final String ADMIN = "admin";
    public static final List<String> ALL = List.of(USER, REVIEWER, ADMIN);
    /** What an admin may grant or revoke: {@code user} is everybody's and stays. */
    public static final List<String> GRANTABLE = List.of(REVIEWER, ADMIN);

    private Roles() {
    }
}
