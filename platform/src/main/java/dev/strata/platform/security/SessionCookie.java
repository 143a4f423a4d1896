package dev.strata.platform.security;

import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The session cookie's name, the same in every service ({@code strata.sessions.cookie-name}). The default
 * {@code __Host-strata_session} needs {@code Secure}, which browsers and curl only keep from https origins; a local
 * run over plain http sets another name (the launcher uses {@code strata_session}).
 */
public final class SessionCookie {

    public static final String DEFAULT = "__Host-strata_session";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static volatile String name;

    private SessionCookie() {
    }

    public static String name() {
        String n = name;
        if (n == null) {
            n = ConfigProvider.getConfig().getOptionalValue("strata.sessions.cookie-name", String.class)
                    .orElse(DEFAULT);
            if (!NAME.matcher(n).matches()) {
                throw new IllegalStateException("strata.sessions.cookie-name must be a plain cookie name: " + n);
            }
            name = n;
        }
        return n;
    }
}
