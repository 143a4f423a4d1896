package dev.strata.platform.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads the session token from {@code Authorization: Bearer} or the session cookie ({@link SessionCookie}).
 * No token → anonymous (public endpoints still work; protected ones answer 401). A token that cannot be a
 * session token → 401 without touching Redis.
 */
@ApplicationScoped
public class SessionAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** The default session cookie name; the one in use is {@link SessionCookie#name()}. */
    public static final String COOKIE = SessionCookie.DEFAULT;
    private static final String BEARER = "Bearer ";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager identityProviderManager) {
        // /internal/* carries a service credential in the same header: that is the internal filter's business
        if (ctx.normalizedPath().startsWith("/internal/")) {
            return Uni.createFrom().nullItem();
        }
        String token = null;
        String header = ctx.request().getHeader("Authorization");
        if (header != null) {
            if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return Uni.createFrom().failure(new AuthenticationFailedException("unsupported authorization scheme"));
            }
            token = header.substring(BEARER.length()).trim();
        } else {
            Cookie cookie = ctx.request().getCookie(SessionCookie.name());
            if (cookie != null) {
                token = cookie.getValue();
            }
        }
        if (token == null) {
            return Uni.createFrom().nullItem();
        }
        if (!SessionTokens.wellFormed(token)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("malformed session token"));
        }
        return identityProviderManager.authenticate(
                HttpSecurityUtils.setRoutingContextAttribute(new SessionTokenRequest(token), ctx));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(SessionTokenRequest.class);
    }
}
