package dev.strata.auth.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.User;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.platform.ratelimit.RateLimiter;
import dev.strata.platform.security.SessionTokens;

/**
 * The second step of a password sign-in for a user with TOTP: the password check yields a challenge (a random token,
 * kept in Redis only by its hash under {@value #PREFIX}, bound to the user and the password hash that was checked,
 * {@code strata.auth.totp.challenge-ttl}); the session opens only once a TOTP or recovery code is accepted with it.
 * Attempts are limited per challenge ({@code mfa-challenge}) and per user ({@code mfa-user}); the challenge is
 * deleted by the attempt that succeeds, so it serves one sign-in.
 */
@ApplicationScoped
public class MfaService {

    public static final String PREFIX = "auth:mfa-challenge:";
    public static final String INVALID_CHALLENGE = "https://strata.dev/problems/auth/invalid-challenge";
    public static final List<String> METHODS = List.of("totp", "recovery-code");

    public record Challenge(String token, Instant expiresAt) {
    }

    private final TotpService totp;
    private final SessionService sessions;
    private final UserRepository users;
    private final RateLimiter limiter;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveKeyCommands<String> keys;
    private final AuthConfig.Totp config;
    private final AuthConfig.Timeouts timeouts;

    public MfaService(TotpService totp, SessionService sessions, UserRepository users, RateLimiter limiter,
            ReactiveRedisDataSource redis, AuthConfig config) {
        this.totp = totp;
        this.sessions = sessions;
        this.users = users;
        this.limiter = limiter;
        this.values = redis.value(String.class);
        this.keys = redis.key(String.class);
        this.config = config.totp();
        this.timeouts = config.timeouts();
    }

    /** A challenge when {@code user} has TOTP enabled, else null (the caller opens the session at once). */
    public Uni<Challenge> challengeIfEnrolled(User user, String verifiedHash) {
        return totp.enabled(user.id).chain(on -> {
            if (!on) {
                return Uni.createFrom().nullItem();
            }
            String token = SessionTokens.newToken();
            Instant expires = Instant.now().plus(config.challengeTtl()).truncatedTo(ChronoUnit.SECONDS);
            // the checked password hash only as a digest: a password change meanwhile voids the challenge
            String value = user.id + " " + SessionTokens.sha256Hex(String.valueOf(verifiedHash));
            return redis(values.set(key(token), value, new SetArgs().px(config.challengeTtl())))
                    .replaceWith(new Challenge(token, expires));
        });
    }

    /** Redeems a challenge with a TOTP {@code code} or a {@code recoveryCode}: the new session. */
    public Uni<SessionService.Created> complete(String challenge, String code, String recoveryCode, String ip,
            String userAgent) {
        if (!SessionTokens.wellFormed(challenge)) {
            return Uni.createFrom().failure(invalidChallenge());
        }
        String key = key(challenge);
        return limiter.enforce("mfa-challenge", "challenge:" + SessionTokens.hash(challenge))
                .chain(() -> redis(values.get(key)))
                .chain(value -> {
                    if (value == null) {
                        return Uni.createFrom().failure(invalidChallenge());
                    }
                    UUID userId = UUID.fromString(value.substring(0, value.indexOf(' ')));
                    String digest = value.substring(value.indexOf(' ') + 1);
                    return limiter.enforce("mfa-user", "user:" + userId)
                            .chain(() -> StoreFailures.bounded(totp.verify(userId, code, recoveryCode),
                                    timeouts.database(), "PostgreSQL"))
                            .chain(ok -> ok ? redis(keys.del(key))
                                    : Uni.createFrom().failure(TotpService.invalidCode(
                                            "The code is wrong, used or expired")))
                            // a concurrent attempt with another valid code took the challenge first
                            .chain(deleted -> deleted == 1 ? open(userId, digest, ip, userAgent)
                                    : Uni.createFrom().failure(invalidChallenge()));
                });
    }

    private Uni<SessionService.Created> open(UUID userId, String digest, String ip, String userAgent) {
        return users.findById(userId).chain(user -> {
            if (user == null || !digest.equals(SessionTokens.sha256Hex(String.valueOf(user.passwordHash)))) {
                return Uni.createFrom().failure(UserService.invalidCredentials());
            }
            return sessions.openIn(user, user.passwordHash, ip, userAgent);
        });
    }

    static ProblemException invalidChallenge() {
        return new ProblemException(ProblemType.UNAUTHENTICATED, INVALID_CHALLENGE,
                "The sign-in challenge is unknown, expired or used: sign in with your password again", null, null,
                null);
    }

    private static String key(String token) {
        return PREFIX + SessionTokens.hash(token);
    }

    private <T> Uni<T> redis(Uni<T> call) {
        return StoreFailures.bounded(call, timeouts.redis(), "Redis");
    }
}
