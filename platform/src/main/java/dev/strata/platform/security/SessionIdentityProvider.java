package dev.strata.platform.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;

/** Resolves a session token through Redis by its SHA-256. Redis down → 503 (fail closed), never anonymous. */
@ApplicationScoped
public class SessionIdentityProvider implements IdentityProvider<SessionTokenRequest> {

    public static final String SESSION_ID = "strata.sessionId";
    public static final String TOKEN_HASH = "strata.tokenHash";
    public static final String EMAIL = "strata.email";

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SessionIdentityProvider.class);

    private final SessionStore sessions;
    private final SessionVerifier verifier;

    private final java.time.Duration timeout;

    public SessionIdentityProvider(SessionStore sessions, SessionVerifier verifier,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.redis.timeout",
                    defaultValue = "PT3S") java.time.Duration timeout) {
        this.sessions = sessions;
        this.timeout = timeout;
        this.verifier = verifier;
    }

    @Override
    public Class<SessionTokenRequest> getRequestType() {
        return SessionTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(SessionTokenRequest request, AuthenticationRequestContext context) {
        String hash = SessionTokens.hash(request.token());
        // a frozen Redis keeps the connection open and never answers: the deadline makes that a 503, not a hang
        return sessions.touch(hash)
                .ifNoItem().after(timeout).fail()
                .onFailure().transform(e -> ProblemException.dependencyDown("session store", e))
                .map(found -> {
                    SessionRecord r = found.orElseThrow(() -> new AuthenticationFailedException("unknown session"));
                    if (!verifier.verify(hash, r)) {
                        // someone wrote to Redis who is not auth-service, or the record was moved to another key
                        LOG.warnf("refused a session record without a valid signature (session %s, key %s)",
                                r.sessionId(), r.keyId());
                        throw new AuthenticationFailedException("session record not signed by auth-service");
                    }
                    QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal(r.userId()))
                            .addAttribute(SESSION_ID, r.sessionId())
                            .addAttribute(TOKEN_HASH, hash);
                    if (r.email() != null) {
                        b.addAttribute(EMAIL, r.email());
                    }
                    if (r.roles() != null) {
                        b.addRoles(r.roles());
                    }
                    return b.build();
                });
    }
}
