package dev.strata.auth.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.RecoveryCode;

@ApplicationScoped
@WithSession
public class RecoveryCodeRepository implements PanacheRepositoryBase<RecoveryCode, UUID> {

    /** Marks the code used if it is the user's and unused: true for exactly one of concurrent callers. */
    public Uni<Boolean> use(UUID userId, String codeHash, Instant now) {
        return update("usedAt = ?1 where userId = ?2 and codeHash = ?3 and usedAt is null", now, userId, codeHash)
                .map(n -> n == 1);
    }

    public Uni<Long> unused(UUID userId) {
        return count("userId = ?1 and usedAt is null", userId);
    }

    public Uni<Long> deleteOf(UUID userId) {
        return delete("userId", userId);
    }
}
