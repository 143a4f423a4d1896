package dev.strata.auth.service;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.PasswordReset;
import dev.strata.auth.domain.User;
import dev.strata.auth.repository.PasswordResetRepository;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.platform.security.SessionTokens;

/**
 * "Forgot my password": a single-use link by e-mail (256-bit token, only its SHA-256 stored, 30 minutes) whose
 * redemption sets a new password and signs the user out everywhere.
 */
@ApplicationScoped
public class PasswordResetService {

    private static final Logger LOG = Logger.getLogger(PasswordResetService.class);

    public static final String INVALID_TOKEN = "https://strata.dev/problems/auth/invalid-reset-token";
    public static final String REASON = "password-reset";

    private final PasswordResetRepository resets;
    private final UserRepository users;
    private final PasswordHasher hasher;
    private final SessionService sessions;
    private final AccountEvents events;
    private final CodeDelivery delivery;
    private final AuthConfig config;
    private final Vertx vertx;
    private final MeterRegistry meters;

    public PasswordResetService(PasswordResetRepository resets, UserRepository users, PasswordHasher hasher,
            SessionService sessions, AccountEvents events, CodeDelivery delivery, AuthConfig config, Vertx vertx,
            MeterRegistry meters) {
        this.resets = resets;
        this.users = users;
        this.hasher = hasher;
        this.sessions = sessions;
        this.events = events;
        this.delivery = delivery;
        this.config = config;
        this.vertx = vertx;
        this.meters = meters;
    }

    /**
     * Looks the address up and mails a link if it belongs to an account, after the caller has answered: the
     * answer, and its timing, are the same for every address. Runs on its own Vert.x context (it outlives the
     * request), bounded by the database and mail timeouts; a failure is logged and counted, never shown.
     */
    public void requestInBackground(String normalizedEmail) {
        Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(ctx, true);
        ctx.runOnContext(ignored -> send(normalizedEmail).subscribe().with(
                sent -> meters.counter("strata.auth.password_resets.requested", "outcome",
                        sent ? "sent" : "unknown-address").increment(),
                e -> {
                    meters.counter("strata.auth.password_resets.requested", "outcome", "failed").increment();
                    LOG.warnf("password reset mail not sent: %s", e.toString());
                }));
    }

    Uni<Boolean> send(String normalizedEmail) {
        return StoreFailures.bounded(users.findByEmail(normalizedEmail), config.timeouts().database(), "PostgreSQL")
                .chain(user -> user == null || user.banned() ? Uni.createFrom().item(false)
                        : issue(user.id).chain(token -> delivery.mail(user.email, config.passwordResets().subject(),
                                text(token))).replaceWith(true));
    }

    /** A new link voids the user's earlier ones: only the latest mail works. */
    @WithTransaction
    Uni<String> issue(UUID userId) {
        String token = SessionTokens.newToken();
        Instant now = Instant.now();
        PasswordReset r = new PasswordReset();
        r.id = UUID.randomUUID();
        r.userId = userId;
        r.tokenHash = SessionTokens.hash(token);
        r.createdAt = now;
        r.expiresAt = now.plus(config.passwordResets().ttl());
        return resets.voidOpen(userId, now).chain(() -> resets.persist(r)).replaceWith(token);
    }

    private String text(String token) {
        long minutes = config.passwordResets().ttl().toMinutes();
        return "Someone (hopefully you) asked to reset the password of your Strata account.\n\n"
                + "Choose a new password here: " + config.passwordResets().linkTemplate().replace("{token}", token)
                + "\n\nor send it with your reset token " + token + " to POST /api/password-resets/" + token
                + ".\n\nThe link works once and expires in " + minutes + " minutes. Setting a new password signs"
                + " you out on every device. If you did not ask for this, ignore this message: your password stays"
                + " as it is.\n";
    }

    /**
     * Sets the new password (already checked against the sign-up rules) and revokes every session of the user.
     * The token is checked before the (costly) hash and again under its row lock: of two redemptions at once,
     * one wins.
     */
    public Uni<Integer> redeem(String token, String password) {
        if (!SessionTokens.wellFormed(token)) {
            return Uni.createFrom().failure(invalidToken());
        }
        String tokenHash = SessionTokens.hash(token);
        return resets.byTokenHash(tokenHash)
                .chain(r -> r == null || !r.redeemable(Instant.now()) ? Uni.createFrom().failure(invalidToken())
                        : hasher.hash(password))
                .chain(hash -> store(tokenHash, hash))
                .invoke(events::poke);
    }

    @WithTransaction
    Uni<Integer> store(String tokenHash, String passwordHash) {
        Instant now = Instant.now();
        return resets.byTokenHashForUpdate(tokenHash).chain(r -> {
            if (r == null || !r.redeemable(now)) {
                return Uni.createFrom().failure(invalidToken());
            }
            r.usedAt = now;
            // user row locked like a password change: a sign-in racing with the old password either opened its
            // session before (revoked below) or waits and finds the new hash
            return users.findById(r.userId, LockModeType.PESSIMISTIC_WRITE).chain(user -> setPassword(user,
                    passwordHash, now));
        });
    }

    private Uni<Integer> setPassword(User user, String passwordHash, Instant now) {
        user.passwordHash = passwordHash;
        user.updatedAt = now;
        return resets.voidOpen(user.id, now)
                .chain(() -> sessions.revokeAllOf(user.id, null, null, REASON))
                .call(revoked -> events.passwordReset(user.id, revoked));
    }

    static ProblemException invalidToken() {
        return new ProblemException(ProblemType.UNPROCESSABLE, INVALID_TOKEN,
                "This reset link is invalid, expired or already used; ask for a new one", null, null, null);
    }
}
