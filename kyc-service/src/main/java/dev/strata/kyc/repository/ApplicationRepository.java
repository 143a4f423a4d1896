package dev.strata.kyc.repository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.domain.KycApplication;

@ApplicationScoped
@WithSession
public class ApplicationRepository implements PanacheRepositoryBase<KycApplication, UUID> {

    /** Row lock for the rest of the transaction: concurrent claims/decisions on one application serialize here. */
    public Uni<KycApplication> lock(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /** The caller's current application: the open one if any, else the most recent. */
    public Uni<KycApplication> latestOf(UUID userId) {
        return find("userId = ?1 order by case when status in ('rejected', 'expired') then 1 else 0 end, createdAt desc",
                userId).firstResult();
    }

    public Uni<KycApplication> openOf(UUID userId) {
        return find("userId = ?1 and status not in ('rejected', 'expired')", userId).firstResult();
    }

    public Uni<List<KycApplication>> ofUser(UUID userId) {
        return find("userId", Sort.descending("createdAt"), userId).list();
    }

    /** Keyset page of the reviewer queue, oldest submission first; {@code limit + 1} rows tell if more follow. */
    public Uni<List<KycApplication>> queue(String status, Instant afterSubmittedAt, UUID afterId, int limit) {
        if (afterSubmittedAt == null) {
            return find("status = ?1 order by submittedAt, id", status).page(0, limit + 1).list();
        }
        return find("status = ?1 and (submittedAt > ?2 or (submittedAt = ?2 and id > ?3)) order by submittedAt, id",
                status, afterSubmittedAt, afterId).page(0, limit + 1).list();
    }

    public Uni<List<KycApplication>> dueForExpiry(Instant now, int limit) {
        return find("status = 'approved' and expiresAt <= ?1 order by expiresAt", now).page(0, limit)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }
}
