package dev.strata.auth.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Totp;

@ApplicationScoped
@WithSession
public class TotpRepository implements PanacheRepositoryBase<Totp, UUID> {

    public Uni<Totp> forUpdate(UUID userId) {
        return findById(userId, LockModeType.PESSIMISTIC_WRITE);
    }

    public Uni<Boolean> enabled(UUID userId) {
        return count("userId = ?1 and enabledAt is not null", userId).map(n -> n > 0);
    }

    /**
     * Records {@code step} as used, only if it is newer than every step used before: true for exactly one of any
     * number of concurrent callers with the same step (Postgres re-checks the condition after a concurrent update).
     */
    public Uni<Boolean> useStep(UUID userId, long step) {
        return update("lastUsedStep = ?1 where userId = ?2 and enabledAt is not null"
                + " and (lastUsedStep is null or lastUsedStep < ?1)", step, userId).map(n -> n == 1);
    }

    public Uni<Long> deleteOf(UUID userId) {
        return delete("userId", userId);
    }

    public Uni<Integer> enable(UUID userId, long step, Instant now) {
        return update("enabledAt = ?1, lastUsedStep = ?2 where userId = ?3 and enabledAt is null", now, step, userId);
    }
}
