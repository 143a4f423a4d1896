package dev.strata.auth.rest;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestResponse;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.SessionService;
import dev.strata.platform.security.SessionCookie;
import dev.strata.platform.problem.ProblemException;

final class Http {

    private Http() {
    }

    /**
     * The session cookie: host-only (__Host-), never readable by scripts, sent on top-level navigations. Its name
     * is the one every service's platform mechanism reads ({@code strata.sessions.cookie-name}).
     */
    static String sessionCookie(AuthConfig config, String token, Duration maxAge) {
        return SessionCookie.name() + "=" + token + "; Path=/; Max-Age=" + maxAge.toSeconds()
                + attributes(config);
    }

    /**
     * What every way of signing in answers (password, second factor, passkey, OAuth): 201 with the token once in the
     * body, the session cookie, never cached. Callers add their own cookies (device, cleared OAuth binding).
     */
    @SuppressWarnings("unchecked")
    static <T> RestResponse.ResponseBuilder<T> signedIn(AuthConfig config, SessionService.Created created) {
        var s = created.session();
        Object body = new Dto.SignInResponse(created.token(), "Bearer", s.id, s.userId, s.expiresAt);
        return RestResponse.ResponseBuilder.<T>create(RestResponse.Status.CREATED, (T) body)
                .header("Set-Cookie", sessionCookie(config, created.token(), Duration.between(Instant.now(), s.expiresAt)))
                .header("Cache-Control", "no-store");
    }

    /** Binds an OAuth flow to the browser that started it; __Host- only where the cookie can be Secure. */
    static String oauthCookieName(AuthConfig config) {
        return config.cookieSecure() ? "__Host-strata_oauth" : "strata_oauth";
    }

    static String oauthCookie(AuthConfig config, String binding) {
        return oauthCookieName(config) + "=" + binding + "; Path=/; Max-Age=" + config.oauth().stateTtl().toSeconds()
                + attributes(config);
    }

    static String clearedOauthCookie(AuthConfig config) {
        return oauthCookieName(config) + "=; Path=/; Max-Age=0" + attributes(config);
    }

    /** Marks a browser that signed in to an account (see DeviceCookies); long-lived, host-only where Secure. */
    static String deviceCookieName(AuthConfig config) {
        return config.cookieSecure() ? "__Host-strata_device" : "strata_device";
    }

    static String deviceCookie(AuthConfig config, String value) {
        return deviceCookieName(config) + "=" + value + "; Path=/; Max-Age=" + Duration.ofDays(180).toSeconds()
                + attributes(config);
    }

    static String clearedCookie(AuthConfig config) {
        return SessionCookie.name() + "=; Path=/; Max-Age=0" + attributes(config);
    }

    private static String attributes(AuthConfig config) {
        return (config.cookieSecure() ? "; Secure" : "") + "; HttpOnly; SameSite=Lax";
    }

    static UUID uuid(String field, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ProblemException.invalidField(field, "must be a UUID");
        }
    }

    /** An optional boolean query parameter: absent is false, anything but true/false is a 400 naming it. */
    static boolean flag(String field, String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.invalidField(field, "must be true or false");
    }
}
