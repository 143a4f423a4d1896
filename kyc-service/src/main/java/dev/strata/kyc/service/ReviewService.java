package dev.strata.kyc.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.config.KycConfig;
import dev.strata.kyc.domain.KycApplication;
import dev.strata.kyc.domain.Status;
import dev.strata.kyc.repository.ApplicationRepository;
import dev.strata.kyc.rest.Requests;
import dev.strata.kyc.rest.Views;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.security.Caller;

/**
 * The reviewer queue. Claims and decisions lock the application row, so of two reviewers acting at once exactly
 * one wins and the other sees the status the winner left (409).
 */
@ApplicationScoped
public class ReviewService {

    private static final List<String> QUEUE_STATUSES = List.of(Status.SUBMITTED.id(), Status.UNDER_REVIEW.id(),
            Status.ADDITIONAL_INFO_REQUIRED.id());

    private final ApplicationRepository applications;
    private final ApplicationService workflow;
    private final KycMetrics metrics;
    private final KycConfig config;

    public ReviewService(ApplicationRepository applications, ApplicationService workflow, KycMetrics metrics,
            KycConfig config) {
        this.applications = applications;
        this.workflow = workflow;
        this.metrics = metrics;
        this.config = config;
    }

    @WithSession
    public Uni<Views.QueuePage> queue(String status, String cursor, String limitParam) {
        String s = status == null || status.isBlank() ? Status.SUBMITTED.id() : status;
        if (!QUEUE_STATUSES.contains(s)) {
            throw ProblemException.invalidField("status", "must be one of " + String.join(", ", QUEUE_STATUSES));
        }
        int n = parseLimit(limitParam);
        if (n < 1 || n > 100) {
            throw ProblemException.invalidField("limit", "must be between 1 and 100");
        }
        Cursor after = cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor);
        return workflow.read(() -> applications.queue(s, after == null ? null : after.submittedAt(),
                after == null ? null : after.id(), n)).map(rows -> {
                    boolean more = rows.size() > n;
                    List<KycApplication> page = more ? rows.subList(0, n) : rows;
                    String next = more ? new Cursor(page.get(n - 1).submittedAt, page.get(n - 1).id).encode() : null;
                    return new Views.QueuePage(page.stream().map(a -> new Views.QueueItem(a.id.toString(),
                            a.userId.toString(), a.applicantType, a.legalName, a.status, a.submittedAt,
                            ApplicationService.str(a.assignedTo))).toList(), next);
                });
    }

    private static int parseLimit(String limit) {
        try {
            return limit == null || limit.isBlank() ? 20 : Integer.parseInt(limit.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public Uni<Views.ApplicationView> claim(Caller caller, UUID id) {
        return workflow.write(() -> applications.lock(id).map(a -> reviewable(a, caller)).chain(a -> {
            Status from = a.statusEnum();
            if (from != Status.SUBMITTED || a.assignedTo != null) {
                throw from == Status.UNDER_REVIEW ? KycProblems.claimedByAnother()
                        : KycProblems.invalidTransition(from, Status.UNDER_REVIEW);
            }
            Instant now = ApplicationService.now();
            a.status = Status.UNDER_REVIEW.id();
            a.assignedTo = UUID.fromString(caller.userId());
            a.assignedAt = now;
            a.updatedAt = now;
            return workflow.record(a, from, Status.UNDER_REVIEW, caller, null).replaceWith(a);
        }), null).call(a -> workflow.afterCommit(a.userId.toString())).chain(a -> workflow.view(a, caller));
    }

    public Uni<Views.ApplicationView> decide(Caller caller, UUID id, Requests.DecisionRequest r) {
        Status to = Status.fromId(r.decision()).orElseThrow();
        List<String> codes = r.reasonCodes() == null ? List.of() : r.reasonCodes().stream().distinct().toList();
        if (to != Status.APPROVED && codes.isEmpty()) {
            throw ProblemException.invalidField("reasonCodes", "at least one reason code is required for " + to.id());
        }
        String note = r.note() == null || r.note().isBlank() ? null : r.note().strip();
        return workflow.write(() -> applications.lock(id).map(a -> reviewable(a, caller)).chain(a -> {
            Status from = a.statusEnum();
            if (!from.canMoveTo(to) || from != Status.UNDER_REVIEW) {
                throw KycProblems.invalidTransition(from, to);
            }
            if (!caller.userId().equals(ApplicationService.str(a.assignedTo)) && !caller.hasRole(Access.ADMIN)) {
                throw KycProblems.claimedByAnother();
            }
            Instant now = ApplicationService.now();
            a.status = to.id();
            a.reviewedAt = now;
            a.reviewerId = UUID.fromString(caller.userId());
            a.decisionReasonCodes = String.join(",", codes);
            a.decisionNote = note;
            a.expiresAt = to == Status.APPROVED ? now.plus(config.approvalValidity()) : null;
            a.updatedAt = now;
            String reason = codes.isEmpty() ? note : String.join(",", codes) + (note == null ? "" : ": " + note);
            return workflow.record(a, from, to, caller, reason).replaceWith(a);
        }), null).invoke(a -> metrics.decided(a.submittedAt, a.reviewedAt)).call(a -> workflow.afterCommit(a.userId.toString())).chain(a -> workflow.view(a, caller));
    }

    /** Staff see every application; they never act on their own. */
    private static KycApplication reviewable(KycApplication a, Caller caller) {
        if (a == null) {
            throw ProblemException.notFound("No such KYC application");
        }
        if (a.ownedBy(caller.userId())) {
            throw KycProblems.ownApplication();
        }
        return a;
    }

    /** Opaque keyset cursor: the last row's (submitted_at, id). */
    record Cursor(Instant submittedAt, UUID id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((submittedAt + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8).split("\\|");
                return new Cursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw ProblemException.invalidField("cursor", "is not a cursor this API returned");
            }
        }
    }
}
