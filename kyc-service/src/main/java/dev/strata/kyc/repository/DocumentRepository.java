package dev.strata.kyc.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.domain.KycDocument;

@ApplicationScoped
@WithSession
public class DocumentRepository implements PanacheRepositoryBase<KycDocument, UUID> {

    public Uni<List<KycDocument>> ofApplication(UUID applicationId) {
        return find("applicationId", Sort.ascending("createdAt"), applicationId).list();
    }

    public Uni<KycDocument> ofType(UUID applicationId, String documentType) {
        return find("applicationId = ?1 and documentType = ?2", applicationId, documentType).firstResult();
    }

    public Uni<KycDocument> inApplication(UUID applicationId, UUID documentId) {
        return find("id = ?1 and applicationId = ?2", documentId, applicationId).firstResult();
    }

    /** Every key a row points at, and whether its upload was completed: the reconciler's side of the comparison. */
    public Uni<List<Object[]>> allKeys() {
        return getSession().chain(s -> s.createSelectionQuery(
                "select d.storageKey, d.uploadedAt from KycDocument d", Object[].class).getResultList());
    }
}
