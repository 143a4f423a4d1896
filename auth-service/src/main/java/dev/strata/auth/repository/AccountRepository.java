package dev.strata.auth.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Account;

@ApplicationScoped
@WithSession
public class AccountRepository implements PanacheRepositoryBase<Account, UUID> {

    public Uni<Account> byProviderAccount(String providerId, String accountId) {
        return find("providerId = ?1 and accountId = ?2", providerId, accountId).firstResult();
    }

    public Uni<List<Account>> ofUser(UUID userId) {
        return find("userId", Sort.ascending("createdAt"), userId).list();
    }
}
