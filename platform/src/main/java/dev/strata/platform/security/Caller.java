package dev.strata.platform.security;

import java.util.Set;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/** The signed-in caller as resources see it. */
public record Caller(String userId, String sessionId, String tokenHash, String email, Set<String> roles) {

    public static Caller of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
        return new Caller(identity.getPrincipal().getName(), identity.getAttribute(SessionIdentityProvider.SESSION_ID),
                identity.getAttribute(SessionIdentityProvider.TOKEN_HASH),
                identity.getAttribute(SessionIdentityProvider.EMAIL), identity.getRoles());
    }

    public boolean hasRole(String role) {
        return roles != null && roles.contains(role);
    }
}
