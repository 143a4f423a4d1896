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

    /** The newest code for this purpose and identifier; older ones are void once a new one is sent. */
    public Uni<Verification> latest(String purpose, String identifier) {
        return find("purpose = ?1 and identifier = ?2", Sort.descending("createdAt"), purpose, identifier)
                .firstResult();
    }

    /** {@link #latest} with the row locked until the transaction ends: concurrent checks count one by one. */
    public Uni<Verification> latestForUpdate(String purpose, String identifier) {
        return find("purpose = ?1 and identifier = ?2", Sort.descending("createdAt"), purpose, identifier)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Guesses made at codes for this identifier since {@code since}, across every code sent to it. */
    public Uni<Long> attemptsSince(String purpose, String identifier, Instant since) {
        return find("select coalesce(sum(v.attempts), 0) from Verification v"
                + " where v.purpose = ?1 and v.identifier = ?2 and v.createdAt > ?3", purpose, identifier, since)
                .project(Long.class).firstResult();
    }

    public Uni<Integer> voidOpen(String purpose, String identifier, Instant now) {
        return update("consumedAt = ?1 where purpose = ?2 and identifier = ?3 and consumedAt is null", now, purpose,
                identifier);
    }
}
