package dev.strata.auth.repository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Session;

@ApplicationScoped
@WithSession
public class SessionRepository implements PanacheRepositoryBase<Session, UUID> {

    public Uni<List<Session>> active(UUID userId, Instant now) {
        return find("userId = :u and revokedAt is null and expiresAt > :now", Sort.descending("createdAt"),
                Parameters.with("u", userId).and("now", now)).list();
    }

    public Uni<Session> byTokenHash(String tokenHash) {
        return find("tokenHash", tokenHash).firstResult();
    }

    /** Marks every live session of a user revoked, except {@code keep} (may be null); returns the rows touched. */
    public Uni<List<Session>> revokeAll(UUID userId, UUID keep, Instant now, String reason) {
        return active(userId, now).map(list -> {
            List<Session> doomed = list.stream().filter(s -> !s.id.equals(keep)).toList();
            doomed.forEach(s -> {
                s.revokedAt = now;
                s.revokeReason = reason;
            });
            return doomed;
        });
    }
}
