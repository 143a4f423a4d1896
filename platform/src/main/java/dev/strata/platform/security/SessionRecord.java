package dev.strata.platform.security;

import java.time.Instant;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What Redis holds under {@code session:<sha256(token)>}. The raw token is never part of it.
 *
 * Signed by auth-service over every field a service trusts and the token hash ({@link SessionSignatures}).
 *
 * @param idleSeconds idle timeout; every successful check slides the Redis TTL by this much (never past
 *                    {@code expiresAt}). 0 means no idle timeout.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SessionRecord(String sessionId, String userId, String email, Set<String> roles, Instant createdAt,
        Instant expiresAt, Instant lastSeenAt, long idleSeconds, String keyId, String signature) {

    /** A record not signed yet (auth-service signs it with {@link SessionSignatures.Signer} before storing it). */
    public SessionRecord(String sessionId, String userId, String email, Set<String> roles, Instant createdAt,
            Instant expiresAt, Instant lastSeenAt, long idleSeconds) {
        this(sessionId, userId, email, roles, createdAt, expiresAt, lastSeenAt, idleSeconds, null, null);
    }

    public SessionRecord withSignature(String keyId, String signature) {
        return new SessionRecord(sessionId, userId, email, roles, createdAt, expiresAt, lastSeenAt, idleSeconds, keyId,
                signature);
    }

    /** For the touch script, which slides the TTL without parsing ISO dates in Lua. */
    @JsonProperty("expiresAtEpochSecond")
    public long expiresAtEpochSecond() {
        return expiresAt == null ? 0 : expiresAt.getEpochSecond();
    }

    public boolean expiredAt(Instant now) {
        return expiresAt == null || !now.isBefore(expiresAt);
    }
}
