package dev.strata.platform.security;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;

/**
 * Resolves a session token by its SHA-256: from this process's {@link SessionNearCache} when it holds a young enough
 * entry and its invalidation feed is healthy, otherwise through Redis (the touch script, bounded by
 * {@code strata.sessions.redis-timeout}) and the signature check. Redis down or slow → 503 (fail closed), never
 * anonymous.
 */
@ApplicationScoped
public class SessionIdentityProvider implements IdentityProvider<SessionTokenRequest> {

    public static final String SESSION_ID = "strata.sessionId";
    public static final String TOKEN_HASH = "strata.tokenHash";
    public static final String EMAIL = "strata.email";

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SessionIdentityProvider.class);

    private final SessionStore sessions;
    private final SessionVerifier verifier;
    private final SessionNearCache nearCache;
    private final Duration redisTimeout;

    @Inject
    public SessionIdentityProvider(SessionStore sessions, SessionVerifier verifier, SessionNearCache nearCache,
            @ConfigProperty(name = "strata.sessions.redis-timeout", defaultValue = "2s") Duration redisTimeout) {
        this.sessions = sessions;
        this.verifier = verifier;
        this.nearCache = nearCache;
        this.redisTimeout = redisTimeout;
    }

    @Override
    public Class<SessionTokenRequest> getRequestType() {
        return SessionTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(SessionTokenRequest request, AuthenticationRequestContext context) {
        String hash = SessionTokens.hash(request.token());
        SessionNearCache.Entry hit = nearCache.get(hash);
        if (hit != null) {
            if (nearCache.refreshDue(hit)) {
                refresh(hash, hit.checked());
            }
            return Uni.createFrom().item(hit.identity());
        }
        long stamp = nearCache.stamp();
        long readAt = System.nanoTime();
        return bounded(sessions.touchRaw(hash)).chain(raw -> {
            if (raw == null) {
                return Uni.createFrom().failure(new AuthenticationFailedException("unknown session"));
            }
            SessionNearCache.Checked c = nearCache.checked(hash, raw);
            if (c == null) {
                SessionRecord r = sessions.read(raw);
                if (r == null) {
                    return refuse(hash, "unreadable session record");
                }
                if (r.expiredAt(java.time.Instant.now())) {
                    return refuse(hash, "session expired");
                }
                if (!verifier.verify(hash, r)) {
                    // someone wrote to Redis who is not auth-service, or the record was moved to another key
                    LOG.warnf("refused a session record without a valid signature (session %s, key %s)",
                            r.sessionId(), r.keyId());
                    return Uni.createFrom().failure(
                            new AuthenticationFailedException("session record not signed by auth-service"));
                }
                c = new SessionNearCache.Checked(raw, identity(hash, r), r.expiresAt().toEpochMilli());
            } else if (c.expiredAt(System.currentTimeMillis())) {
                return refuse(hash, "session expired");
            }
            nearCache.put(hash, c, stamp, readAt);
            return Uni.createFrom().item(c.identity());
        });
    }

    /** The record can never become valid again: remove it (as the touch always did), then refuse. */
    private Uni<SecurityIdentity> refuse(String hash, String why) {
        return bounded(sessions.discard(hash))
                .chain(() -> Uni.createFrom().failure(new AuthenticationFailedException(why)));
    }

    /**
     * Re-reads a session served from the near-cache, in the background: slides its idle TTL, renews the entry when
     * Redis still holds the same record, drops it otherwise (gone, changed, or Redis failing: the next request asks
     * Redis itself and fails closed).
     */
    private void refresh(String hash, SessionNearCache.Checked c) {
        long stamp = nearCache.stamp();
        long readAt = System.nanoTime();
        sessions.touchRaw(hash).ifNoItem().after(redisTimeout).failWith(TimeoutException::new)
                .subscribe().with(raw -> {
                    if (c.raw().equals(raw) && !c.expiredAt(System.currentTimeMillis())) {
                        nearCache.put(hash, c, stamp, readAt);
                    } else {
                        nearCache.invalidate(hash);
                    }
                }, x -> {
                    LOG.debugf("background session refresh failed: %s", x.toString());
                    nearCache.invalidate(hash);
                });
    }

    private <T> Uni<T> bounded(Uni<T> call) {
        return call.ifNoItem().after(redisTimeout).failWith(TimeoutException::new)
                .onFailure().transform(e -> ProblemException.dependencyDown("session store", e));
    }

    private static SecurityIdentity identity(String hash, SessionRecord r) {
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
    }
}
