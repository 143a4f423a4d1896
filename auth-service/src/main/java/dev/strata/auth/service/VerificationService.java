package dev.strata.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.Roles;
import dev.strata.auth.domain.User;
import dev.strata.auth.domain.Verification;
import dev.strata.auth.repository.UserRepository;
import dev.strata.auth.repository.VerificationRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;

/**
 * One-time codes proving control of an e-mail address or phone number: 6 digits from a CSPRNG, stored as
 * HMAC-SHA256 under a server pepper, single use, short-lived, a bounded number of guesses.
 */
@ApplicationScoped
public class VerificationService {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(VerificationService.class);

    public static final String INVALID_CODE = "https://strata.dev/problems/auth/invalid-code";
    public static final String ALREADY_VERIFIED = "https://strata.dev/problems/auth/already-verified";

    public record Sent(String channel, String destination, Instant expiresAt) {
    }

    public enum Outcome {
        VERIFIED, WRONG, EXHAUSTED, NO_CODE, LOCKED
    }

    private final SecureRandom random = new SecureRandom();
    private final VerificationRepository verifications;
    private final UserRepository users;
    private final SessionService sessions;
    private final CodeDelivery delivery;
    private final AuthConfig config;
    private final byte[] pepper;

    public VerificationService(VerificationRepository verifications, UserRepository users, SessionService sessions,
            CodeDelivery delivery, AuthConfig config) {
        this.verifications = verifications;
        this.users = users;
        this.sessions = sessions;
        this.delivery = delivery;
        this.config = config;
        this.pepper = config.codes().pepper().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
            if (io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.NORMAL) {
                // replicas must agree on it, and codes sent before a restart must stay checkable
                throw new IllegalStateException("strata.auth.codes.pepper (STRATA_AUTH_CODES_PEPPER) must be set");
            }
            byte[] b = new byte[32];
            random.nextBytes(b);
            LOG.warn("strata.auth.codes.pepper is not set: using a random one for this dev/test process only");
            return b;
        });
    }

    public static String purpose(String channel) {
        return "verify-" + channel;
    }

    /** The identifier a code goes to: the user's own e-mail, or the phone number being claimed. */
    public Uni<String> identifier(UUID userId, String channel, String phone) {
        return users.findById(userId).map(u -> {
            if (u == null) {
                throw ProblemException.notFound("No such user");
            }
            if (Verification.EMAIL.equals(channel)) {
                if (u.emailVerified) {
                    throw new ProblemException(ProblemType.CONFLICT, ALREADY_VERIFIED,
                            "This e-mail address is already verified", null, null, null);
                }
                return u.email;
            }
            return phone;
        });
    }

    public Uni<Sent> send(UUID userId, String channel, String identifier) {
        return issue(userId, purpose(channel), identifier).call(code -> Verification.EMAIL.equals(channel)
                ? delivery.email(identifier, code)
                : delivery.sms(identifier, code))
                .map(code -> new Sent(channel, mask(channel, identifier), expiry()));
    }

    /** When a code issued now expires. */
    public Instant expiry() {
        return Instant.now().plus(config.codes().ttl());
    }

    /**
     * Stores a new code for this purpose and identifier and returns it (the caller delivers it). A new code voids
     * the user's earlier ones of the purpose for the identifier, or for every identifier when the check will not
     * name one (an e-mail change is confirmed by its code alone): only the latest message counts.
     */
    @WithTransaction
    public Uni<String> issue(UUID userId, String purpose, String identifier) {
        String code = String.format("%06d", random.nextInt(1_000_000));
        Instant now = Instant.now();
        Verification v = new Verification();
        v.id = UUID.randomUUID();
        v.userId = userId;
        v.purpose = purpose;
        v.identifier = identifier;
        v.codeHash = hashCode(v.purpose, identifier, code);
        v.expiresAt = now.plus(config.codes().ttl());
        v.createdAt = now;
        Uni<Integer> voided = purpose.startsWith("verify-") ? verifications.voidOpen(userId, purpose, identifier, now)
                : verifications.voidOpen(userId, purpose, now);
        return voided.chain(() -> verifications.persist(v)).replaceWith(code);
    }

    /** Checks a code; the attempt is committed even when wrong, so the caller fails after the transaction. */
    public Uni<Outcome> check(UUID userId, String channel, String identifier, String code) {
        return check(userId, purpose(channel), identifier, code,
                v -> users.findById(userId).chain(u -> markVerified(u, channel, identifier)));
    }

    /**
     * Checks the user's live code of this purpose (for {@code identifier}, or the newest one whatever it was sent
     * to when null) and on a match runs {@code onMatch} in the same transaction, the code consumed.
     */
    @WithTransaction
    public Uni<Outcome> check(UUID userId, String purpose, String identifier, String code,
            java.util.function.Function<Verification, Uni<Void>> onMatch) {
        Instant now = Instant.now();
        // locked: parallel guesses must not share one attempt count (that would allow more than max-attempts)
        Uni<Verification> latest = identifier == null ? verifications.latestForUpdate(userId, purpose)
                : verifications.latestForUpdate(userId, purpose, identifier);
        return latest.chain(v -> {
            if (v == null || v.consumedAt != null || !v.expiresAt.isAfter(now)) {
                return Uni.createFrom().item(Outcome.NO_CODE);
            }
            if (v.attempts >= config.codes().maxAttempts()) {
                return Uni.createFrom().item(Outcome.EXHAUSTED);
            }
            // under the lock of the only live code: older codes are void, so this sum cannot grow behind our back
            return verifications.attemptsSince(userId, purpose, v.identifier, now.minus(java.time.Duration.ofDays(1)))
                    .chain(used -> used >= config.codes().dailyAttempts() ? Uni.createFrom().item(Outcome.LOCKED)
                            : guess(v, code, now, onMatch));
        });
    }

    private Uni<Outcome> guess(Verification v, String code, Instant now,
            java.util.function.Function<Verification, Uni<Void>> onMatch) {
        v.attempts++;
        boolean match = MessageDigest.isEqual(v.codeHash.getBytes(StandardCharsets.US_ASCII),
                hashCode(v.purpose, v.identifier, code).getBytes(StandardCharsets.US_ASCII));
        if (!match) {
            return Uni.createFrom().item(Outcome.WRONG);
        }
        v.consumedAt = now;
        return onMatch.apply(v).replaceWith(Outcome.VERIFIED);
    }

    private Uni<Void> markVerified(User u, String channel, String identifier) {
        u.updatedAt = Instant.now();
        if (Verification.PHONE.equals(channel)) {
            u.phone = identifier;
            u.phoneVerified = true;
            return Uni.createFrom().voidItem();
        }
        u.emailVerified = true;
        boolean bootstrap = config.bootstrapAdminEmail().map(Credentials::normalizeEmail)
                .filter(e -> e.equals(u.email)).isPresent();
        if (bootstrap && !u.roleSet().contains(Roles.ADMIN)) {
            // only a proven owner of the configured address becomes the first admin
            var roles = new java.util.LinkedHashSet<>(u.roleSet());
            roles.add(Roles.ADMIN);
            u.roleSet(roles);
            return sessions.refreshRoles(u);
        }
        return Uni.createFrom().voidItem();
    }

    public static ProblemException failure(Outcome outcome) {
        if (outcome == Outcome.LOCKED) {
            return new ProblemException(ProblemType.RATE_LIMITED, null,
                    "Too many wrong codes for this address in the last 24 hours; try again tomorrow", null,
                    java.util.Map.of("Retry-After", "86400"), null);
        }
        String detail = switch (outcome) {
            case EXHAUSTED -> "Too many wrong attempts; request a new code";
            case WRONG -> "The code is wrong";
            default -> "No valid code: it expired, was used, or was never sent";
        };
        return new ProblemException(ProblemType.UNPROCESSABLE, INVALID_CODE, detail, null, null, null);
    }

    String hashCode(String purpose, String identifier, String code) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
            return HexFormat.of().formatHex(
                    mac.doFinal((purpose + "\n" + identifier + "\n" + code).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is mandatory in every JVM", e);
        }
    }

    public static String mask(String channel, String identifier) {
        if (Verification.EMAIL.equals(channel)) {
            int at = identifier.indexOf('@');
            return identifier.charAt(0) + "***" + identifier.substring(Math.max(at, 1));
        }
        return "***" + identifier.substring(Math.max(identifier.length() - 2, 0));
    }
}
