package dev.strata.auth.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Verification;

@ApplicationScoped
@WithSession
public class VerificationRepository implements PanacheRepositoryBase<Verification, UUID> {

    // Every lookup is per requesting user: a phone number anyone may type in must not let one user void, lock or
    // read the codes another user asked for.

    /**
     * The user's newest code for this purpose and identifier (older ones are void once a new one is sent), locked
     * until the transaction ends: concurrent checks count one by one.
     */
    public Uni<Verification> latestForUpdate(UUID userId, String purpose, String identifier) {
        return find("userId = ?1 and purpose = ?2 and identifier = ?3", Sort.descending("createdAt"), userId, purpose,
                identifier).withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** The user's newest code for this purpose, whatever it was sent to, locked like the one above. */
    public Uni<Verification> latestForUpdate(UUID userId, String purpose) {
        return find("userId = ?1 and purpose = ?2", Sort.descending("createdAt"), userId, purpose)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** The user's guesses at codes for this identifier since {@code since}, across every code sent. */
    public Uni<Long> attemptsSince(UUID userId, String purpose, String identifier, Instant since) {
        return find("select coalesce(sum(v.attempts), 0) from Verification v where v.userId = ?1"
                + " and v.purpose = ?2 and v.identifier = ?3 and v.createdAt > ?4", userId, purpose, identifier, since)
                .project(Long.class).firstResult();
    }

    public Uni<Integer> voidOpen(UUID userId, String purpose, String identifier, Instant now) {
        return update("consumedAt = ?1 where userId = ?2 and purpose = ?3 and identifier = ?4 and consumedAt is null",
                now, userId, purpose, identifier);
    }

    public Uni<Integer> voidOpen(UUID userId, String purpose, Instant now) {
        return update("consumedAt = ?1 where userId = ?2 and purpose = ?3 and consumedAt is null", now, userId,
                purpose);
    }
}
