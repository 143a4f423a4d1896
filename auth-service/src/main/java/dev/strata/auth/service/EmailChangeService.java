package dev.strata.auth.service;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.User;
import dev.strata.auth.domain.Verification;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;

/**
 * Changing the account's e-mail address: a code goes to the new address (proof of control), a notice to the old
 * one; the old address stays in force until the code is confirmed. Codes are ordinary verification codes (purpose
 * {@value #PURPOSE}, identifier = the new address), with their attempt and daily limits.
 */
@ApplicationScoped
public class EmailChangeService {

    public static final String PURPOSE = "email-change";

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final VerificationService verifications;
    private final CodeDelivery delivery;
    private final SessionService sessions;
    private final AccountEvents events;

    public EmailChangeService(UserRepository users, PasswordHasher hasher, VerificationService verifications,
            CodeDelivery delivery, SessionService sessions, AccountEvents events) {
        this.users = users;
        this.hasher = hasher;
        this.verifications = verifications;
        this.delivery = delivery;
        this.sessions = sessions;
        this.events = events;
    }

    /**
     * Checks the password (a stolen session alone must not move the account to another mailbox) and that the
     * address is free, then mails the code and the notice. Returns the masked destination and expiry.
     */
    public Uni<VerificationService.Sent> request(UUID userId, String newEmail, String password) {
        String target = Credentials.normalizeEmail(newEmail);
        return users.findById(userId).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                .call(user -> hasher.verify(Credentials.normalizePassword(password), user.passwordHash)
                        .invoke(ok -> {
                            if (!ok) {
                                throw ProblemException.invalidField("password", "does not match your password");
                            }
                            if (target.equals(user.email)) {
                                throw ProblemException.invalidField("newEmail", "is already your address");
                            }
                        }))
                .call(user -> users.findByEmail(target).invoke(other -> {
                    if (other != null) {
                        throw UserService.emailTaken();
                    }
                }))
                .chain(user -> verifications.issue(userId, PURPOSE, target)
                        .call(code -> delivery.mail(target, "Confirm your new Strata e-mail address",
                                "Your code to confirm " + target + " as the e-mail address of your Strata account is "
                                        + code + ".\n\nIf you did not ask for it, ignore this message.\n"))
                        .call(code -> delivery.mail(user.email, "Your Strata e-mail address is being changed",
                                "Someone signed in to your Strata account asked to change its e-mail address to "
                                        + VerificationService.mask(Verification.EMAIL, target) + ". Nothing changes"
                                        + " until the code sent there is confirmed.\n\nIf this was not you, change"
                                        + " your password and sign out everywhere now.\n")))
                .map(code -> new VerificationService.Sent(Verification.EMAIL,
                        VerificationService.mask(Verification.EMAIL, target), verifications.expiry()));
    }

    /**
     * Confirms the newest requested change with its code: the address becomes the account's (verified), the live
     * sessions' records carry it from now on (they stay valid), and {@code accounts.email_changed} is published.
     */
    public Uni<User> confirm(UUID userId, String code) {
        return verifications.check(userId, PURPOSE, null, code, v -> apply(userId, v.identifier))
                .chain(outcome -> {
                    if (outcome != VerificationService.Outcome.VERIFIED) {
                        return Uni.createFrom().failure(VerificationService.failure(outcome));
                    }
                    events.poke();
                    return sessions.syncUser(userId, "email-changed").chain(() -> users.findById(userId));
                });
    }

    /** In the code check's transaction; a taken address fails it (the unique index decides between two users). */
    private Uni<Void> apply(UUID userId, String target) {
        return users.findById(userId, LockModeType.PESSIMISTIC_WRITE).chain(user -> users.findByEmail(target)
                .chain(other -> {
                    if (other != null && !other.id.equals(userId)) {
                        return Uni.createFrom().failure(UserService.emailTaken());
                    }
                    String previous = user.email;
                    user.email = target;
                    user.emailVerified = true;
                    user.updatedAt = Instant.now();
                    return users.flush().onFailure(UserService::uniqueViolation)
                            .transform(e -> UserService.emailTaken())
                            .chain(() -> events.emailChanged(userId, target, previous));
                }));
    }
}
