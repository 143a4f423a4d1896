package dev.strata.auth.service;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.RecoveryCode;
import dev.strata.auth.domain.Totp;
import dev.strata.auth.repository.RecoveryCodeRepository;
import dev.strata.auth.repository.TotpRepository;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.StoreFailures;

/**
 * TOTP two-factor: enrol (a pending secret), confirm with a first code (then it is enabled and the user gets
 * recovery codes), disable, regenerate recovery codes, and check a code at sign-in. A code is accepted once: the
 * step it belongs to is recorded by a conditional UPDATE that only moves forward, so a replayed code (or two
 * requests with the same code at once) finds the step used. Recovery codes are single use the same way.
 */
@ApplicationScoped
public class TotpService {

    public static final String ALREADY_ENABLED = "https://strata.dev/problems/auth/totp-already-enabled";
    public static final String NOT_PENDING = "https://strata.dev/problems/auth/totp-not-pending";
    public static final String NOT_ENABLED = "https://strata.dev/problems/auth/totp-not-enabled";
    /** Recovery codes: 10 characters of a 31-letter alphabet without look-alikes (49 bits), shown as {@code xxxxx-xxxxx}. */
    static final String RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

    public record Enrolment(String secret, String otpauthUri, String qrCode) {
    }

    public record Status(boolean enabled, long recoveryCodesLeft) {
    }

    private final TotpRepository totps;
    private final RecoveryCodeRepository recovery;
    private final UserRepository users;
    private final TotpSecrets secrets;
    private final AccountEvents events;
    private final PasswordHasher hasher;
    private final AuthConfig.Totp config;
    private final AuthConfig.Timeouts timeouts;
    private final SecureRandom random = new SecureRandom();

    public TotpService(TotpRepository totps, RecoveryCodeRepository recovery, UserRepository users,
            TotpSecrets secrets, AccountEvents events, PasswordHasher hasher, AuthConfig config) {
        this.totps = totps;
        this.recovery = recovery;
        this.users = users;
        this.secrets = secrets;
        this.events = events;
        this.hasher = hasher;
        this.config = config.totp();
        this.timeouts = config.timeouts();
    }

    /** A new pending secret (replacing a pending one); 409 when TOTP is enabled already. */
    public Uni<Enrolment> enroll(UUID userId) {
        byte[] secret = TotpCodes.newSecret();
        return db(storePending(userId, secret))
                // two enrolments at once for a user without a row: the primary key lets one in
                .onFailure(e -> StoreFailures.uniqueViolation(e, "totp_pkey"))
                .transform(e -> ProblemException.conflict("An enrolment is being set up already; try again"))
                .map(email -> {
                    String uri = TotpCodes.uri(config.issuer(), email, secret);
                    return new Enrolment(TotpCodes.base32(secret), uri, TotpCodes.qrSvgDataUri(uri));
                });
    }

    @WithTransaction
    Uni<String> storePending(UUID userId, byte[] secret) {
        return users.findById(userId).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                .chain(user -> totps.forUpdate(userId).chain(existing -> {
                    if (existing != null && existing.enabled()) {
                        return Uni.createFrom().failure(alreadyEnabled());
                    }
                    Totp t = existing != null ? existing : new Totp();
                    t.userId = userId;
                    t.secretEncrypted = secrets.encrypt(userId, secret);
                    t.createdAt = Instant.now();
                    t.lastUsedStep = null;
                    return (existing != null ? Uni.createFrom().item(t) : totps.persistAndFlush(t))
                            .replaceWith(user.email);
                }));
    }

    /** Enables the pending enrolment with its first code; answers the recovery codes (the only time they are shown). */
    public Uni<List<String>> confirm(UUID userId, String code) {
        return db(enable(userId, code)).invoke(events::poke);
    }

    @WithTransaction
    Uni<List<String>> enable(UUID userId, String code) {
        return totps.forUpdate(userId).chain(t -> {
            if (t == null || t.enabled()) {
                return Uni.createFrom().failure(new ProblemException(ProblemType.CONFLICT, NOT_PENDING,
                        t == null ? "No TOTP enrolment to confirm: enrol first" : "TOTP is enabled already", null,
                        null, null));
            }
            long step = TotpCodes.matchingStep(secrets.decrypt(userId, t.secretEncrypted), code, Instant.now());
            if (step < 0) {
                return Uni.createFrom().failure(invalidCode("The code is wrong or expired"));
            }
            // the confirming code's step counts as used: it cannot sign anyone in afterwards
            return totps.enable(userId, step, Instant.now())
                    .chain(() -> replaceRecoveryCodes(userId))
                    .call(() -> events.mfaEnabled(userId, "totp"));
        });
    }

    /** Turns TOTP off after the password and a code (TOTP or recovery) check out; a wrong one changes nothing. */
    public Uni<Void> disable(UUID userId, String password, String code) {
        return db(users.findById(userId)).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                .chain(u -> hasher.verify(Credentials.normalizePassword(password), u.passwordHash))
                .chain(ok -> ok ? db(remove(userId, code))
                        : Uni.createFrom().failure(ProblemException.invalidField("password",
                                "does not match your password")))
                .invoke(events::poke);
    }

    @WithTransaction
    Uni<Void> remove(UUID userId, String code) {
        return requireEnabled(userId)
                .chain(t -> check(t, code))
                .chain(() -> recovery.deleteOf(userId))
                .chain(() -> totps.deleteOf(userId))
                .chain(() -> events.mfaDisabled(userId, "totp"));
    }

    /** New recovery codes (the old ones stop working) after a valid code. */
    public Uni<List<String>> regenerate(UUID userId, String code) {
        return db(regenerateIn(userId, code));
    }

    @WithTransaction
    Uni<List<String>> regenerateIn(UUID userId, String code) {
        return requireEnabled(userId).chain(t -> check(t, code)).chain(() -> replaceRecoveryCodes(userId));
    }

    @WithSession
    public Uni<Status> status(UUID userId) {
        return db(totps.findById(userId).chain(t -> t == null || !t.enabled()
                ? Uni.createFrom().item(new Status(false, 0))
                : recovery.unused(userId).map(n -> new Status(true, n))));
    }

    /** Whether the user signs in with a second factor. */
    @WithSession
    public Uni<Boolean> enabled(UUID userId) {
        return db(totps.enabled(userId));
    }

    /**
     * Checks a sign-in's second factor: a TOTP code (accepted once) or a recovery code (used up). True when it
     * counts; a wrong, replayed or used code is false.
     */
    @WithTransaction
    public Uni<Boolean> verify(UUID userId, String code, String recoveryCode) {
        return totps.findById(userId).chain(t -> {
            if (t == null || !t.enabled()) {
                return Uni.createFrom().item(false);
            }
            return code != null ? useTotp(t, code) : useRecoveryCode(userId, recoveryCode);
        });
    }

    /** Either kind of code, in the caller's transaction; fails with 422 auth/invalid-code. */
    private Uni<Void> check(Totp t, String code) {
        String c = code == null ? "" : code.trim();
        Uni<Boolean> ok = c.matches("[0-9]{" + TotpCodes.DIGITS + "}") ? useTotp(t, c) : useRecoveryCode(t.userId, c);
        return ok.chain(valid -> valid ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(invalidCode("The code is wrong, used or expired")));
    }

    private Uni<Boolean> useTotp(Totp t, String code) {
        long step = TotpCodes.matchingStep(secrets.decrypt(t.userId, t.secretEncrypted), code, Instant.now());
        return step < 0 ? Uni.createFrom().item(false) : totps.useStep(t.userId, step);
    }

    private Uni<Boolean> useRecoveryCode(UUID userId, String code) {
        String n = normalizeRecoveryCode(code);
        return n == null ? Uni.createFrom().item(false)
                : recovery.use(userId, secrets.hashRecoveryCode(n), Instant.now());
    }

    private Uni<Totp> requireEnabled(UUID userId) {
        return totps.forUpdate(userId).chain(t -> t == null || !t.enabled()
                ? Uni.createFrom().failure(new ProblemException(ProblemType.CONFLICT, NOT_ENABLED,
                        "TOTP is not enabled", null, null, null))
                : Uni.createFrom().item(t));
    }

    private Uni<List<String>> replaceRecoveryCodes(UUID userId) {
        List<String> shown = new ArrayList<>();
        Instant now = Instant.now();
        return recovery.deleteOf(userId).chain(() -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (int i = 0; i < config.recoveryCodes(); i++) {
                String code = newRecoveryCode();
                shown.add(code);
                RecoveryCode rc = new RecoveryCode();
                rc.id = UUID.randomUUID();
                rc.userId = userId;
                rc.codeHash = secrets.hashRecoveryCode(normalizeRecoveryCode(code));
                rc.createdAt = now;
                chain = chain.chain(() -> recovery.persist(rc).replaceWithVoid());
            }
            return chain.replaceWith(shown);
        });
    }

    String newRecoveryCode() {
        StringBuilder b = new StringBuilder(11);
        for (int i = 0; i < 10; i++) {
            if (i == 5) {
                b.append('-');
            }
            b.append(RECOVERY_ALPHABET.charAt(random.nextInt(RECOVERY_ALPHABET.length())));
        }
        return b.toString();
    }

    /** Case, spaces and dashes do not matter; anything else outside the alphabet is no code. */
    static String normalizeRecoveryCode(String code) {
        if (code == null) {
            return null;
        }
        String n = code.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
        if (n.length() != 10) {
            return null;
        }
        for (char ch : n.toCharArray()) {
            if (RECOVERY_ALPHABET.indexOf(ch) < 0) {
                return null;
            }
        }
        return n;
    }

    public static ProblemException invalidCode(String detail) {
        return new ProblemException(ProblemType.UNPROCESSABLE, VerificationService.INVALID_CODE, detail, null, null,
                null);
    }

    static ProblemException alreadyEnabled() {
        return new ProblemException(ProblemType.CONFLICT, ALREADY_ENABLED, "TOTP is enabled already; disable it first",
                null, null, null);
    }

    private <T> Uni<T> db(Uni<T> call) {
        return StoreFailures.bounded(call, timeouts.database(), "PostgreSQL");
    }
}
