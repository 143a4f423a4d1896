package dev.strata.auth.repository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Passkey;

@ApplicationScoped
@WithSession
public class PasskeyRepository implements PanacheRepositoryBase<Passkey, UUID> {

    public Uni<List<Passkey>> ofUser(UUID userId) {
        return find("userId", Sort.ascending("createdAt").and("id"), userId).list();
    }

    /** The passkeys of whoever has this (normalized) e-mail address; empty for an unknown address. One query either way. */
    public Uni<List<Passkey>> ofEmail(String email) {
        return find("userId = (select u.id from User u where u.email = ?1)", Sort.ascending("createdAt").and("id"),
                email).list();
    }

    public Uni<Passkey> byCredentialId(byte[] credentialId) {
        return find("credentialId", credentialId).firstResult();
    }

    /**
     * Records a verified assertion, but only if the counter still goes up (or the authenticator keeps none: both 0).
     * A compare-and-set, so two assertions racing with counters n and n+1 cannot both pass once n+1 is stored.
     * Returns the number of rows changed (0 or 1).
     */
    public Uni<Integer> recordUse(UUID id, long signCount, boolean backupState, Instant at) {
        return update("signCount = ?1, backupState = ?2, lastUsedAt = ?3 where id = ?4 and (signCount < ?1 or "
                + "(?1 = 0 and signCount = 0))", signCount, backupState, at, id);
    }
}
