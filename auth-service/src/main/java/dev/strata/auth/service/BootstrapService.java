package dev.strata.auth.service;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.Roles;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.security.SessionTokens;

/**
 * The first admin, by an explicit one-time token rather than by winning a race to an address: the token comes from
 * a Secret ({@code strata.auth.bootstrap-token}) or, when none is configured and none is pending, is generated and
 * printed once at start-up. Redeeming it needs a signed-in user with a verified e-mail; it works exactly once.
 */
@ApplicationScoped
public class BootstrapService {

    public static final String INVALID = "https://strata.dev/problems/auth/invalid-bootstrap-token";
    public static final String USED = "https://strata.dev/problems/auth/bootstrap-token-used";
    public static final String UNVERIFIED = "https://strata.dev/problems/auth/email-not-verified";
    private static final Logger LOG = Logger.getLogger(BootstrapService.class);

    private final AuthConfig config;
    private final UserRepository users;
    private final SessionService sessions;

    public BootstrapService(AuthConfig config, UserRepository users, SessionService sessions) {
        this.config = config;
        this.users = users;
        this.sessions = sessions;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s
                .createNativeQuery("select consumed_at is null from auth.bootstrap_tokens where id = 1", Boolean.class)
                .getResultList().chain(rows -> {
                    boolean pending = !rows.isEmpty() && rows.get(0);
                    boolean used = !rows.isEmpty() && !rows.get(0);
                    if (used) {
                        return Uni.createFrom().voidItem();
                    }
                    String token = config.bootstrapToken().orElse(null);
                    if (token == null && pending) {
                        // a generated token is printed only when made: the one in the earlier log still works
                        LOG.info("a one-time bootstrap-admin token is pending (printed when it was generated)");
                        return Uni.createFrom().voidItem();
                    }
                    boolean generated = token == null;
                    String value = generated ? SessionTokens.newToken() : token;
                    return s.createNativeQuery("insert into auth.bootstrap_tokens as b (id, token_hash, created_at)"
                            + " values (1, ?1, now()) on conflict (id) do update set token_hash = excluded.token_hash"
                            + " where b.consumed_at is null")
                            .setParameter(1, SessionTokens.sha256Hex(value)).executeUpdate()
                            .invoke(() -> {
                                if (generated) {
                                    LOG.warnf("One-time bootstrap-admin token (POST /api/admin/bootstrap as a "
                                            + "signed-in user with a verified e-mail): %s", value);
                                }
                            }).replaceWithVoid();
                }))));
    }

    /** Makes the caller an admin if {@code token} is the pending bootstrap token; consumes it. */
    public Uni<Void> redeem(UUID userId, String token) {
        return Panache.withTransaction(() -> users.findById(userId, LockModeType.PESSIMISTIC_WRITE).chain(user -> {
            if (user == null) {
                return Uni.createFrom().failure(ProblemException.notFound("No such user"));
            }
            if (!user.emailVerified) {
                return Uni.createFrom().failure(new ProblemException(ProblemType.FORBIDDEN, UNVERIFIED,
                        "Verify your e-mail address first", null, null, null));
            }
            return Panache.getSession().chain(s -> s.createNativeQuery("update auth.bootstrap_tokens"
                    + " set consumed_at = now(), consumed_by = ?1 where id = 1 and consumed_at is null"
                    + " and token_hash = ?2")
                    .setParameter(1, userId).setParameter(2, SessionTokens.sha256Hex(token)).executeUpdate()
                    .chain(n -> n == 1 ? Uni.createFrom().item(true)
                            : s.createNativeQuery("select count(*) from auth.bootstrap_tokens where consumed_at is not null",
                                    Long.class).getSingleResult().map(c -> {
                                        throw c > 0 ? new ProblemException(ProblemType.CONFLICT, USED,
                                                "The bootstrap token has been used", null, null, null)
                                                : new ProblemException(ProblemType.FORBIDDEN, INVALID,
                                                        "This is not the bootstrap token", null, null, null);
                                    })))
                    .chain(() -> {
                        var roles = new LinkedHashSet<>(user.roleSet());
                        roles.add(Roles.ADMIN);
                        user.roleSet(roles);
                        user.updatedAt = Instant.now();
                        return sessions.refreshRoles(user);
                    });
        }));
    }
}
