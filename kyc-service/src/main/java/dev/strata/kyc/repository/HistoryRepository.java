package dev.strata.kyc.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.domain.StatusChange;

@ApplicationScoped
@WithSession
public class HistoryRepository implements PanacheRepositoryBase<StatusChange, Long> {

    public Uni<List<StatusChange>> ofApplication(UUID applicationId) {
        return find("applicationId", Sort.ascending("id"), applicationId).list();
    }
}
