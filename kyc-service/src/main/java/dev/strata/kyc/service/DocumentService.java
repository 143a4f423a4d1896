package dev.strata.kyc.service;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.config.KycConfig;
import dev.strata.kyc.domain.KycApplication;
import dev.strata.kyc.domain.KycDocument;
import dev.strata.kyc.domain.Status;
import dev.strata.kyc.repository.ApplicationRepository;
import dev.strata.kyc.repository.DocumentRepository;
import dev.strata.kyc.rest.Requests;
import dev.strata.kyc.rest.Views;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.security.Caller;

/**
 * Identity documents. Bytes never pass through kyc-service: the client uploads straight to S3 with a presigned POST
 * that storage-gateway signs for a key we choose ({@code {applicationId}/{documentType}/{uuid}}); completion has the
 * gateway check the stored object (exact size, type, magic bytes) and hash it.
 */
@ApplicationScoped
public class DocumentService {

    private final ApplicationRepository applications;
    private final DocumentRepository documents;
    private final StorageGateway gateway;
    private final KycEvents events;
    private final ApplicationService workflow;
    private final KycMetrics metrics;
    private final KycConfig config;

    public DocumentService(ApplicationRepository applications, DocumentRepository documents, StorageGateway gateway,
            KycEvents events, ApplicationService workflow, KycMetrics metrics, KycConfig config) {
        this.applications = applications;
        this.documents = documents;
        this.gateway = gateway;
        this.events = events;
        this.workflow = workflow;
        this.metrics = metrics;
        this.config = config;
    }

    /**
     * Presigns first, then records the row (replacing a previous document of the same type) in one transaction that
     * re-checks the status. A presigned POST whose row never commits leaves at most an orphan object, which the
     * reconciler removes after its grace period.
     */
    public Uni<Views.DocumentTicket> requestUpload(Caller caller, UUID applicationId, Requests.DocumentRequest r) {
        if (r.size() > config.maxDocumentSize()) {
            throw ProblemException.invalidField("size", "must be at most " + config.maxDocumentSize() + " bytes");
        }
        String fileName = cleanFileName(r.fileName());
        UUID documentId = UUID.randomUUID();
        String key = applicationId + "/" + r.documentType() + "/" + documentId;
        return workflow.read(() -> editable(caller, applicationId))
                .chain(() -> gateway.presignUpload(key, r.contentType(), r.size()))
                .chain(post -> workflow.write(() -> applications.lock(applicationId)
                        .map(a -> Access.ownedBy(a, caller))
                        .invoke(a -> requireEditable(a.statusEnum()))
                        .chain(a -> documents.ofType(applicationId, r.documentType()))
                        .chain(previous -> previous == null ? Uni.createFrom().voidItem()
                                : events.deleteObjects(applicationId.toString(), List.of(previous.storageKey))
                                        .chain(() -> documents.delete(previous))
                                        // the unique (application, type) index must not see both rows at once
                                        .chain(() -> documents.flush()))
                        .chain(() -> {
                            KycDocument d = new KycDocument();
                            d.id = documentId;
                            d.applicationId = applicationId;
                            d.documentType = r.documentType();
                            d.storageKey = key;
                            d.fileName = fileName;
                            d.fileSize = r.size();
                            d.contentType = r.contentType();
                            d.createdAt = ApplicationService.now();
                            return documents.persist(d);
                        }), null)
                        .map(d -> new Views.DocumentTicket(documentId.toString(), r.documentType(), key,
                                new Views.Upload(post.url(), post.fields(), post.expiresAt()))));
    }

    /** Idempotent: completing a verified document again answers the same. */
    public Uni<Views.DocumentView> complete(Caller caller, UUID applicationId, UUID documentId) {
        return workflow.read(() -> editable(caller, applicationId)
                .chain(a -> documents.inApplication(applicationId, documentId)))
                .chain(d -> {
                    if (d == null) {
                        throw ProblemException.notFound("No such document");
                    }
                    if (d.uploaded()) {
                        return Uni.createFrom().item(toView(d));
                    }
                    return gateway.verify(d.storageKey, d.contentType, d.fileSize)
                            .onFailure(ProblemException.class).recoverWithUni(e -> onRejected((ProblemException) e, d))
                            .chain(v -> workflow.write(() -> applications.lock(applicationId)
                                    .invoke(a -> requireEditable(a.statusEnum()))
                                    .chain(a -> documents.inApplication(applicationId, documentId))
                                    .invoke(row -> {
                                        if (row == null) {
                                            // replaced while we verified: its object is queued for deletion already
                                            throw ProblemException.notFound("No such document");
                                        }
                                        row.sha256 = v.sha256();
                                        row.fileSize = v.size();
                                        row.uploadedAt = ApplicationService.now();
                                    }), null))
                            .invoke(row -> metrics.documentStored(row.fileSize))
                            .map(DocumentService::toView);
                });
    }

    /** Download URLs go to the owner (by user id), reviewers and admins; to anyone else the document does not exist. */
    @WithSession
    public Uni<Views.DownloadUrl> downloadUrl(Caller caller, UUID applicationId, UUID documentId) {
        return workflow.read(() -> applications.findById(applicationId).map(a -> Access.readable(a, caller))
                .chain(a -> documents.inApplication(applicationId, documentId)))
                .chain(d -> {
                    if (d == null || !d.uploaded()) {
                        throw ProblemException.notFound("No such document");
                    }
                    return gateway.presignDownload(d.storageKey, d.fileName);
                })
                .map(u -> new Views.DownloadUrl(u.url(), u.expiresAt()));
    }

    @WithSession
    public Uni<List<Views.DocumentView>> list(Caller caller, UUID applicationId) {
        return workflow.read(() -> applications.findById(applicationId).map(a -> Access.readable(a, caller))
                .chain(a -> documents.ofApplication(applicationId))
                .map(docs -> docs.stream().map(DocumentService::toView).toList()));
    }

    /** The gateway deleted a rejected object; the row goes too, so no row ever points at a missing object. */
    private Uni<dev.strata.kyc.service.StorageGatewayClient.VerifiedObject> onRejected(ProblemException e,
            KycDocument d) {
        boolean gone = e.typeUri().equals(StorageGateway.CONTENT_REJECTED);
        if (!gone) {
            if (e.type().status() == 404) {
                return Uni.createFrom().failure(KycProblems.uploadMissing());
            }
            return Uni.createFrom().failure(e);
        }
        return workflow.write(() -> documents.delete("id", d.id), null).chain(() -> Uni.createFrom().failure(e));
    }

    private Uni<KycApplication> editable(Caller caller, UUID applicationId) {
        return applications.findById(applicationId).map(a -> Access.ownedBy(a, caller))
                .invoke(a -> requireEditable(a.statusEnum()));
    }

    private static void requireEditable(Status s) {
        if (!s.editableByApplicant()) {
            throw KycProblems.notEditable(s);
        }
    }

    /** Only the last path element, no control characters: it is shown back and used as the download name. */
    static String cleanFileName(String name) {
        String base = name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).replaceAll("\\p{Cntrl}", "").strip();
        if (base.isEmpty() || base.equals(".") || base.equals("..")) {
            throw ProblemException.invalidField("fileName", "must name a file");
        }
        return base.length() > 255 ? base.substring(0, 255) : base;
    }

    public static Views.DocumentView toView(KycDocument d) {
        return new Views.DocumentView(d.id.toString(), d.documentType, d.fileName, d.fileSize, d.contentType, d.sha256,
                d.uploaded(), d.uploadedAt, d.createdAt);
    }
}
