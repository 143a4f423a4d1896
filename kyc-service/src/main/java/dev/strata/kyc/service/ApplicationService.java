package dev.strata.kyc.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.config.KycConfig;
import dev.strata.kyc.domain.KycApplication;
import dev.strata.kyc.domain.KycDocument;
import dev.strata.kyc.domain.Status;
import dev.strata.kyc.domain.StatusChange;
import dev.strata.kyc.repository.ApplicationRepository;
import dev.strata.kyc.repository.DocumentRepository;
import dev.strata.kyc.repository.HistoryRepository;
import dev.strata.kyc.rest.Views;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.security.Caller;

/**
 * Applications and their workflow. Writes run in {@code Panache.withTransaction} rather than under
 * {@code @WithTransaction} because each has work that must happen strictly after the commit (status cache
 * invalidation, waking the outbox relay), which an interceptor around the same method would run too early.
 */
@ApplicationScoped
public class ApplicationService {

    static final String ONE_OPEN_INDEX = "kyc_applications_one_open_per_user";

    private final ApplicationRepository applications;
    private final DocumentRepository documents;
    private final HistoryRepository history;
    private final KycEvents events;
    private final StatusCache cache;
    private final FieldCipher cipher;
    private final KycMetrics metrics;
    private final OutboxWiring outbox;
    private final KycConfig config;

    public ApplicationService(ApplicationRepository applications, DocumentRepository documents,
            HistoryRepository history, KycEvents events, StatusCache cache, FieldCipher cipher, KycMetrics metrics,
            OutboxWiring outbox, KycConfig config) {
        this.applications = applications;
        this.documents = documents;
        this.history = history;
        this.events = events;
        this.cache = cache;
        this.cipher = cipher;
        this.metrics = metrics;
        this.outbox = outbox;
        this.config = config;
    }

    public Uni<Views.ApplicationView> create(Caller caller, JsonNode body) {
        UUID userId = userId(caller);
        KycApplication app = new KycApplication();
        app.id = UUID.randomUUID();
        app.userId = userId;
        app.status = Status.DRAFT.id();
        // validated before any database work: a bad body writes nothing
        ApplicationFields.apply(body, app, cipher, true);
        Instant now = now();
        app.createdAt = now;
        app.updatedAt = now;
        return write(() -> applications.openOf(userId).chain(open -> {
            if (open != null) {
                throw KycProblems.openApplicationExists();
            }
            return applications.persist(app).chain(() -> record(app, null, Status.DRAFT, caller, null));
        }), userId.toString())
                .onFailure(e -> Failures.uniqueViolation(e, ONE_OPEN_INDEX))
                .transform(e -> KycProblems.openApplicationExists())
                .replaceWith(app).chain(a -> view(a, caller));
    }

    @WithSession
    public Uni<Views.ApplicationView> get(Caller caller, UUID id) {
        return read(() -> applications.findById(id).map(a -> Access.readable(a, caller)).chain(a -> view(a, caller)));
    }

    @WithSession
    public Uni<List<Views.ApplicationView>> mine(Caller caller) {
        return read(() -> applications.ofUser(userId(caller))
                .chain(list -> io.smallrye.mutiny.Multi.createFrom().iterable(list)
                        .onItem().transformToUniAndConcatenate(a -> view(a, caller)).collect().asList()));
    }

    public Uni<Views.ApplicationView> patch(Caller caller, UUID id, JsonNode body) {
        if (body == null || !body.isObject()) {
            ApplicationFields.apply(body, new KycApplication(), cipher, false);
        }
        return write(() -> applications.lock(id).map(a -> Access.ownedBy(a, caller)).invoke(a -> {
            Status s = a.statusEnum();
            if (!s.editableByApplicant()) {
                throw KycProblems.notEditable(s);
            }
            ApplicationFields.apply(body, a, cipher, false);
            a.updatedAt = now();
        }), null).chain(a -> view(a, caller));
    }

    public Uni<Views.ApplicationView> submit(Caller caller, UUID id) {
        return write(() -> applications.lock(id).map(a -> Access.ownedBy(a, caller))
                .chain(a -> documents.ofApplication(a.id).chain(docs -> {
                    Status from = a.statusEnum();
                    if (!from.canMoveTo(Status.SUBMITTED)) {
                        throw KycProblems.invalidTransition(from, Status.SUBMITTED);
                    }
                    var missing = ApplicationFields.missingForSubmission(a, docs);
                    if (!missing.isEmpty()) {
                        throw KycProblems.incomplete(missing);
                    }
                    Instant now = now();
                    a.status = Status.SUBMITTED.id();
                    a.submittedAt = now;
                    a.assignedTo = null;
                    a.assignedAt = null;
                    a.updatedAt = now;
                    return record(a, from, Status.SUBMITTED, caller, null).replaceWith(a);
                })), caller.userId()).chain(a -> view(a, caller));
    }

    /** Withdraws a draft: its rows go in this transaction, its objects through the outbox once it has committed. */
    public Uni<Void> withdraw(Caller caller, UUID id) {
        return write(() -> applications.lock(id).map(a -> Access.ownedBy(a, caller)).chain(a -> {
            Status s = a.statusEnum();
            if (s != Status.DRAFT) {
                throw KycProblems.retained(s);
            }
            return documents.ofApplication(a.id).chain(docs -> {
                List<String> keys = docs.stream().map(d -> d.storageKey).toList();
                return events.deleteObjects(a.id.toString(), keys)
                        .chain(() -> events.withdrawn(a))
                        .chain(() -> documents.delete("applicationId", a.id))
                        .chain(() -> history.delete("applicationId", a.id))
                        .chain(() -> applications.delete(a));
            });
        }), caller.userId()).replaceWithVoid();
    }

    @WithSession
    public Uni<List<Views.HistoryEntry>> history(Caller caller, UUID id) {
        return read(() -> applications.findById(id).map(a -> Access.readable(a, caller))
                .chain(a -> history.ofApplication(a.id))
                .map(rows -> rows.stream().map(h -> new Views.HistoryEntry(h.fromStatus, h.toStatus,
                        h.changedBy == null ? null : h.changedBy.toString(), h.reason, h.at)).toList()));
    }

    public Uni<Views.StatusView> status(String userId) {
        UUID uid = parseUserId(userId);
        return cache.get(uid.toString(), () -> loadStatus(uid));
    }

    @WithSession
    Uni<Views.StatusView> loadStatus(UUID userId) {
        return read(() -> applications.latestOf(userId).map(a -> a == null
                ? new Views.StatusView(userId.toString(), "none", null, null, null)
                : new Views.StatusView(userId.toString(), a.status, a.id.toString(), a.expiresAt, a.updatedAt)));
    }

    /** Records a status change: the history row and the event are part of the caller's transaction. */
    Uni<Void> record(KycApplication app, Status from, Status to, Caller by, String reason) {
        StatusChange h = new StatusChange();
        h.applicationId = app.id;
        h.fromStatus = from == null ? null : from.id();
        h.toStatus = to.id();
        h.changedBy = by == null ? null : UUID.fromString(by.userId());
        h.reason = reason;
        h.at = app.updatedAt == null ? now() : app.updatedAt;
        Uni<Void> event = from == null ? Uni.createFrom().voidItem() : events.statusChanged(app, from, to);
        return history.persist(h).chain(() -> event).invoke(() -> metrics.transition(from, to));
    }

    /** Runs {@code work} in a transaction with a deadline; after the commit, invalidates and wakes the relay. */
    <T> Uni<T> write(Supplier<Uni<T>> work, String invalidateUser) {
        return Failures.bounded(Panache.withTransaction(work), config.dbTimeout())
                .call(() -> afterCommit(invalidateUser));
    }

    Uni<Void> afterCommit(String userId) {
        outbox.poke();
        return userId == null ? Uni.createFrom().voidItem() : cache.invalidate(userId);
    }

    <T> Uni<T> read(Supplier<Uni<T>> work) {
        return Failures.bounded(Uni.createFrom().<T>deferred(work::get), config.dbTimeout());
    }

    Uni<Views.ApplicationView> view(KycApplication a, Caller caller) {
        return documents.ofApplication(a.id).map(docs -> toView(a, docs, caller));
    }

    Views.ApplicationView toView(KycApplication a, List<KycDocument> docs, Caller caller) {
        boolean staff = Access.staff(caller) && !a.ownedBy(caller.userId());
        String nationalId = a.nationalIdCipher == null ? null
                : reveal(cipher.open(a.nationalIdKeyId, a.nationalIdCipher, ApplicationFields.context(a, "national_id")),
                        staff);
        String taxId = a.taxIdCipher == null ? null
                : reveal(cipher.open(a.taxIdKeyId, a.taxIdCipher, ApplicationFields.context(a, "tax_id")), staff);
        Views.Address address = a.addressLine1 == null && a.addressLine2 == null && a.city == null
                && a.postalCode == null && a.region == null ? null
                        : new Views.Address(a.addressLine1, a.addressLine2, a.city, a.postalCode, a.region);
        return new Views.ApplicationView(a.id.toString(), a.userId.toString(), a.status, a.applicantType, a.legalName,
                a.dateOfBirth, a.nationality, a.residenceCountry, address, a.idDocumentType, nationalId, taxId,
                a.submittedAt, a.reviewedAt, str(a.reviewerId), str(a.assignedTo), a.reasonCodes(), a.decisionNote,
                a.expiresAt, a.version, a.createdAt, a.updatedAt, docs.stream().map(DocumentService::toView).toList());
    }

    /** The applicant typed the number; showing it back in full would only help whoever borrows their session. */
    private static String reveal(String value, boolean full) {
        if (full || value.length() <= 4) {
            return full ? value : "****";
        }
        return "*".repeat(value.length() - 4) + value.substring(value.length() - 4);
    }

    static UUID userId(Caller caller) {
        return parseUserId(caller.userId());
    }

    static UUID parseUserId(String userId) {
        try {
            return UUID.fromString(userId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ProblemException.invalidField("userId", "must be a UUID");
        }
    }

    static String str(UUID id) {
        return id == null ? null : id.toString();
    }

    /** Microseconds: what PostgreSQL keeps, so a value read back equals the one written. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
