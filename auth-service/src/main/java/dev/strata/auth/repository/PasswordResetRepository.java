package dev.strata.auth.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.PasswordReset;

@ApplicationScoped
@WithSession
public class PasswordResetRepository implements PanacheRepositoryBase<PasswordReset, UUID> {

    public Uni<PasswordReset> byTokenHash(String tokenHash) {
        return find("tokenHash", tokenHash).firstResult();
    }

    /** Locked until the transaction ends: two redemptions of one link run one after the other. */
    public Uni<PasswordReset> byTokenHashForUpdate(String tokenHash) {
        return find("tokenHash", tokenHash).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Voids the user's open links (a newer one was sent, one was redeemed, or the password changed). */
    public Uni<Integer> voidOpen(UUID userId, Instant now) {
        return update("usedAt = ?1 where userId = ?2 and usedAt is null", now, userId);
    }
}
