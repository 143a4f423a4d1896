package dev.strata.auth.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Wallet;

@ApplicationScoped
@WithSession
public class WalletRepository implements PanacheRepositoryBase<Wallet, String> {

    public Uni<List<Wallet>> ofUser(UUID userId) {
        return find("userId", Sort.ascending("linkedAt").and("address"), userId).list();
    }

    /** Removes the address only if {@code userId} owns it; the number of rows removed (0 or 1). */
    public Uni<Long> deleteOwned(UUID userId, String address) {
        return delete("address = ?1 and userId = ?2", address, userId);
    }
}
