package dev.strata.kyc.service;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.strata.kyc.domain.Status;

/** kyc-service's own meters; names in the README. */
@ApplicationScoped
public class KycMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> transitions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> queueDepth = new ConcurrentHashMap<>();
    private final AtomicLong oldestQueuedSeconds = new AtomicLong();
    private final Timer decisionTime;
    private final Counter orphansDeleted;
    private final AtomicLong orphansFound = new AtomicLong();
    private final AtomicLong missingObjects = new AtomicLong();
    private final Counter reconcileRuns;
    private final Counter objectDeletions;
    private final DistributionSummary documentBytes;

    public KycMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.decisionTime = Timer.builder("kyc_decision_duration").description("Time from submission to decision")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMinutes(1))
                .maximumExpectedValue(Duration.ofDays(30)).register(registry);
        for (Status s : new Status[] {Status.SUBMITTED, Status.UNDER_REVIEW, Status.ADDITIONAL_INFO_REQUIRED}) {
            AtomicLong depth = new AtomicLong();
            queueDepth.put(s.id(), depth);
            Gauge.builder("kyc_queue_depth", depth, AtomicLong::get).tag("status", s.id())
                    .description("Applications waiting in this status").register(registry);
        }
        Gauge.builder("kyc_queue_oldest_age_seconds", oldestQueuedSeconds, AtomicLong::get)
                .description("Age of the oldest submitted, unclaimed application").register(registry);
        this.orphansDeleted = Counter.builder("kyc_reconciler_orphans_deleted_total")
                .description("Objects in kyc-documents without a row, deleted after the grace period").register(registry);
        Gauge.builder("kyc_reconciler_orphans_found", orphansFound, AtomicLong::get)
                .description("Objects without a row seen by the last reconciliation").register(registry);
        Gauge.builder("kyc_reconciler_missing_objects", missingObjects, AtomicLong::get)
                .description("Completed document rows whose object is missing, at the last reconciliation").register(registry);
        this.reconcileRuns = Counter.builder("kyc_reconciler_runs_total").register(registry);
        this.objectDeletions = Counter.builder("kyc_object_deletions_total")
                .description("Objects deleted through the outbox (withdrawn applications, replaced documents)")
                .register(registry);
        this.documentBytes = DistributionSummary.builder("kyc_document_size_bytes").baseUnit("bytes").register(registry);
    }

    public void transition(Status from, Status to) {
        String key = (from == null ? "none" : from.id()) + ">" + to.id();
        transitions.computeIfAbsent(key, k -> Counter.builder("kyc_transitions_total")
                .tag("from", from == null ? "none" : from.id()).tag("to", to.id())
                .description("Application status changes").register(registry)).increment();
    }

    public void decided(Instant submittedAt, Instant decidedAt) {
        if (submittedAt != null && !decidedAt.isBefore(submittedAt)) {
            decisionTime.record(Duration.between(submittedAt, decidedAt));
        }
    }

    public void queue(String status, long depth) {
        AtomicLong g = queueDepth.get(status);
        if (g != null) {
            g.set(depth);
        }
    }

    public void oldestQueued(long seconds) {
        oldestQueuedSeconds.set(seconds);
    }

    public void reconciled(long found, long deleted, long missing) {
        reconcileRuns.increment();
        orphansFound.set(found);
        orphansDeleted.increment(deleted);
        missingObjects.set(missing);
    }

    public void objectDeleted() {
        objectDeletions.increment();
    }

    public void documentStored(long size) {
        documentBytes.record(size);
    }
}
