package dev.strata.auth.service;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Account;
import dev.strata.auth.domain.Roles;
import dev.strata.auth.domain.User;
import dev.strata.auth.repository.AccountRepository;
import dev.strata.auth.repository.PasswordResetRepository;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;

@ApplicationScoped
public class UserService {

    public static final String INVALID_CREDENTIALS = "https://strata.dev/problems/auth/invalid-credentials";
    public static final String ACCOUNT_BANNED = "https://strata.dev/problems/auth/account-banned";
    public static final String EMAIL_TAKEN = "https://strata.dev/problems/auth/email-taken";

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final SessionService sessions;
    private final AuthMetrics metrics;
    private final AccountRepository accounts;
    private final AccountEvents events;
    private final MfaService mfa;
    private final PasswordResetRepository resets;

    /** A password sign-in's outcome: a session, or (TOTP enabled) the challenge to redeem with a code. */
    public record SignIn(SessionService.Created session, MfaService.Challenge challenge) {
    }

    /** What a password change or "sign out everywhere" did; {@code linkedAccounts} is what is still linked. */
    public record SignedOut(int revoked, int unlinkedAccounts, int linkedAccounts) {
    }

    public UserService(UserRepository users, PasswordHasher hasher, SessionService sessions, AuthMetrics metrics,
            AccountRepository accounts, AccountEvents events, MfaService mfa, PasswordResetRepository resets) {
        this.mfa = mfa;
        this.resets = resets;
        this.users = users;
        this.hasher = hasher;
        this.sessions = sessions;
        this.metrics = metrics;
        this.accounts = accounts;
        this.events = events;
    }

    /** Password already validated and normalized by the caller. */
    public Uni<User> signUp(String email, String password, String name) {
        String normalized = Credentials.normalizeEmail(email);
        return users.findByEmail(normalized).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(emailTaken());
            }
            return hasher.hash(password).chain(hash -> create(normalized, hash, name));
        });
    }

    @WithTransaction
    Uni<User> create(String email, String passwordHash, String name) {
        Instant now = Instant.now();
        User u = new User();
        u.id = UUID.randomUUID();
        u.email = email;
        u.name = name;
        u.passwordHash = passwordHash;
        u.roles = Roles.USER;
        u.createdAt = now;
        u.updatedAt = now;
        return users.persistAndFlush(u)
                // two sign-ups racing for one address: the unique constraint decides
                .onFailure(UserService::uniqueViolation).transform(e -> emailTaken());
    }

    /**
     * Same answer and the same work (one argon2 verification) whether the e-mail is unknown or the password
     * wrong, so neither the body nor the timing tells which.
     */
    public Uni<SignIn> signIn(String email, String password, String ip, String userAgent) {
        String normalized = Credentials.normalizeEmail(email);
        String pw = Credentials.normalizePassword(password);
        return users.findByEmail(normalized)
                .chain(user -> hasher.verify(pw, user == null ? null : user.passwordHash).chain(ok -> {
                    if (!ok || user == null) {
                        metrics.signIn(false, "password");
                        return Uni.createFrom().failure(invalidCredentials());
                    }
                    if (user.banned()) {
                        metrics.signIn(false, "password");
                        return Uni.createFrom().failure(banned());
                    }
                    metrics.signIn(true, "password");
                    // parameters were raised since this hash was made: upgrade it while we know the password
                    boolean upgrade = hasher.needsRehash(user.passwordHash);
                    Uni<String> current = upgrade ? hasher.hash(pw).chain(h -> rehash(user.id, user.passwordHash, h))
                            : Uni.createFrom().item(user.passwordHash);
                    // the session opens only if the password checked is still the account's password, and only
                    // after a second factor when the user has one
                    return current.chain(h -> mfa.challengeIfEnrolled(user, h).chain(challenge -> challenge != null
                            ? Uni.createFrom().item(new SignIn(null, challenge))
                            : sessions.openIn(user, h, ip, userAgent).map(created -> new SignIn(created, null))));
                }));
    }

    /** Replaces the hash only if it is still the one we verified; returns the hash now in force. */
    @WithTransaction
    Uni<String> rehash(UUID userId, String verified, String hash) {
        return users.update("passwordHash = ?1, updatedAt = ?2 where id = ?3 and passwordHash = ?4", hash,
                Instant.now(), userId, verified).map(n -> n == 1 ? hash : verified);
    }

    public Uni<User> byId(UUID id) {
        return users.findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"));
    }

    /** Checks the password again for the caller's session (a recent proof for sensitive changes). */
    public Uni<Void> reauthenticate(UUID userId, UUID sessionId, String password) {
        return byId(userId).chain(user -> hasher.verify(Credentials.normalizePassword(password), user.passwordHash))
                .chain(ok -> ok ? sessions.markReauthenticated(userId, sessionId)
                        : Uni.createFrom().failure(ProblemException.invalidField("password",
                                "does not match your password")));
    }

    /**
     * Changes the password and revokes every other session of the user; with {@code unlinkAccounts} also removes
     * every linked sign-in method (someone who took over the account may have added one).
     */
    public Uni<SignedOut> changePassword(UUID userId, UUID sessionId, String tokenHash, String current,
            String replacement, boolean unlinkAccounts) {
        return byId(userId).chain(user -> hasher.verify(Credentials.normalizePassword(current), user.passwordHash))
                .chain(ok -> ok ? hasher.hash(replacement)
                        : Uni.createFrom().failure(ProblemException.invalidField("currentPassword",
                                "does not match the current password")))
                .chain(hash -> storePassword(userId, sessionId, tokenHash, hash, unlinkAccounts))
                .invoke(events::poke);
    }

    @WithTransaction
    Uni<SignedOut> storePassword(UUID userId, UUID keepSession, String keepHash, String hash, boolean unlink) {
        // row locked first: a sign-in with the old password either opened its session before (and it is revoked
        // below) or waits and finds the new hash (see SessionService.openIn)
        return users.findById(userId, LockModeType.PESSIMISTIC_WRITE).chain(user -> {
            user.passwordHash = hash;
            user.updatedAt = Instant.now();
            // a reset link mailed before must not undo the change someone just made knowing the password
            return resets.voidOpen(userId, user.updatedAt).chain(() -> unlinkAll(user, unlink, "password-changed"))
                    .chain(out -> sessions.revokeAllOf(userId, keepSession, keepHash, "password-changed")
                            .call(revoked -> events.passwordChanged(userId, revoked, out.unlinkedAccounts()))
                            .map(revoked -> new SignedOut(revoked, out.unlinkedAccounts(), out.linkedAccounts())));
        });
    }

    /** Signs the user out of every session (or every other one), optionally removing linked sign-in methods. */
    @WithTransaction
    public Uni<SignedOut> signOutEverywhere(UUID userId, UUID keep, String keepHash, String reason, boolean unlink) {
        return users.findById(userId, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                // unlinking first: when it is refused, no session has been touched (Redis keys cannot roll back)
                .chain(user -> unlinkAll(user, unlink, reason)
                        .chain(out -> sessions.revokeAllOf(userId, keep, keepHash, reason)
                                .call(revoked -> revoked == 0 ? Uni.createFrom().voidItem()
                                        : events.sessionsRevoked(userId, revoked, reason))
                                .map(revoked -> new SignedOut(revoked, out.unlinkedAccounts(),
                                        out.linkedAccounts()))));
    }

    /** In the caller's transaction, with the user row locked. Never removes the last way to sign in. */
    private Uni<SignedOut> unlinkAll(User user, boolean unlink, String reason) {
        return accounts.ofUser(user.id).chain(linked -> {
            if (!unlink || linked.isEmpty()) {
                return Uni.createFrom().item(new SignedOut(0, 0, linked.size()));
            }
            if (user.passwordHash == null) {
                return Uni.createFrom().failure(ProblemException.conflict(
                        "Your linked accounts are your only way to sign in; set a password first"));
            }
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Account a : linked) {
                chain = chain.chain(() -> accounts.delete(a)).chain(() -> events.unlinked(user.id, a.providerId,
                        reason));
            }
            return chain.replaceWith(new SignedOut(0, linked.size(), 0));
        });
    }

    /**
     * Grants or revokes a role in Postgres only. The row is locked: two role changes at once both apply (no lost
     * update). The live sessions' Redis records are rewritten after the commit by
     * {@link SessionService#syncRoles}, never before it: a rolled-back change must not reach Redis.
     */
    @WithTransaction
    public Uni<User> changeRole(UUID userId, String role, boolean grant) {
        return users.findById(userId, LockModeType.PESSIMISTIC_WRITE).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                .invoke(user -> {
                    Set<String> roles = new LinkedHashSet<>(user.roleSet());
                    if (grant ? roles.add(role) : roles.remove(role)) {
                        user.roleSet(roles);
                        user.updatedAt = Instant.now();
                    }
                });
    }

    @WithTransaction
    public Uni<User> ban(UUID userId, String reason) {
        // row locked: a sign-in in flight either sees the ban or has its session revoked below (see openIn)
        return users.findById(userId, LockModeType.PESSIMISTIC_WRITE).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                .chain(user -> {
                    user.bannedAt = Instant.now();
                    user.banReason = reason;
                    user.updatedAt = user.bannedAt;
                    return sessions.revokeAllOf(userId, null, null, "banned")
                            .call(n -> n == 0 ? Uni.createFrom().voidItem()
                                    : events.sessionsRevoked(userId, n, "banned"))
                            .replaceWith(user);
                });
    }

    @WithTransaction
    public Uni<User> unban(UUID userId) {
        return users.findById(userId).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                .invoke(user -> {
                    user.bannedAt = null;
                    user.banReason = null;
                    user.updatedAt = Instant.now();
                });
    }

    static ProblemException invalidCredentials() {
        return new ProblemException(ProblemType.UNAUTHENTICATED, INVALID_CREDENTIALS,
                "E-mail address or password is wrong", null, null, null);
    }

    static ProblemException banned() {
        return new ProblemException(ProblemType.FORBIDDEN, ACCOUNT_BANNED, "This account is suspended", null, null,
                null);
    }

    static ProblemException emailTaken() {
        return new ProblemException(ProblemType.CONFLICT, EMAIL_TAKEN, "An account with this e-mail already exists",
                null, null, null);
    }

    static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("23505") || m.contains("duplicate key"))) {
                return true;
            }
        }
        return false;
    }
}
