package dev.strata.platform.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A raw session token presented by a client, on its way to {@link SessionIdentityProvider}. */
public final class SessionTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public SessionTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
