package dev.strata.kyc.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.kyc.config.KycConfig;
import dev.strata.kyc.domain.KycApplication;
import dev.strata.kyc.domain.Status;
import dev.strata.kyc.repository.ApplicationRepository;
import dev.strata.kyc.repository.DocumentRepository;
import dev.strata.kyc.rest.Views;

/**
 * Background work with one runner across replicas, each guarded by a PostgreSQL advisory lock: the expiry of
 * approvals, the reconciliation of {@code kyc-documents} objects against rows, and the queue gauges.
 */
@ApplicationScoped
public class MaintenanceJobs {

    private static final Logger LOG = Logger.getLogger(MaintenanceJobs.class);
    private static final String EXPIRY_LOCK = "kyc-expiry";
    private static final String RECONCILE_LOCK = "kyc-reconcile";
    private static final int EXPIRY_BATCH = 200;
    private static final int LIST_PAGE = 500;

    private final ApplicationRepository applications;
    private final DocumentRepository documents;
    private final ApplicationService workflow;
    private final StorageGateway gateway;
    private final KycMetrics metrics;
    private final KycConfig config;
    private final Pool pool;

    public MaintenanceJobs(ApplicationRepository applications, DocumentRepository documents,
            ApplicationService workflow, StorageGateway gateway, KycMetrics metrics, KycConfig config, Pool pool) {
        this.applications = applications;
        this.documents = documents;
        this.workflow = workflow;
        this.gateway = gateway;
        this.metrics = metrics;
        this.config = config;
        this.pool = pool;
    }

    /** A bean (the scheduler looks it up): skips the jobs when {@code strata.kyc.jobs.enabled=false}. */
    @jakarta.inject.Singleton
    public static class Disabled implements Scheduled.SkipPredicate {
        @jakarta.inject.Inject
        KycConfig config;

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.jobs().enabled();
        }
    }

    @Scheduled(identity = "kyc-expiry", every = "${strata.kyc.jobs.expiry-interval:PT15M}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    Uni<Void> scheduledExpiry() {
        return expireDue().onFailure().invoke(e -> LOG.warnf("expiry run failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    @Scheduled(identity = "kyc-reconcile", every = "${strata.kyc.jobs.reconcile-interval:PT1H}", delayed = "60s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    Uni<Void> scheduledReconcile() {
        return reconcile().onFailure().invoke(e -> LOG.warnf("reconciliation failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    @Scheduled(identity = "kyc-queue-gauge", every = "${strata.kyc.jobs.queue-gauge-interval:PT30S}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledGauges() {
        return refreshQueueGauges().onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Moves approvals past their validity to {@code expired}, in batches, each with its history rows and events in
     * the same transaction. Another replica running at the same moment finds the lock taken and does nothing.
     */
    public Uni<Views.ExpiryRun> expireDue() {
        List<String> users = new ArrayList<>();
        return workflow.write(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("select pg_try_advisory_xact_lock(hashtext(?1))", Boolean.class)
                        .setParameter(1, EXPIRY_LOCK).getSingleResult())
                .chain(locked -> !locked ? Uni.createFrom().item(0)
                        : applications.dueForExpiry(ApplicationService.now(), EXPIRY_BATCH).chain(due -> {
                            Uni<Void> all = Uni.createFrom().voidItem();
                            for (KycApplication a : due) {
                                all = all.chain(() -> {
                                    a.status = Status.EXPIRED.id();
                                    a.updatedAt = ApplicationService.now();
                                    users.add(a.userId.toString());
                                    return workflow.record(a, Status.APPROVED, Status.EXPIRED, null,
                                            "approval validity ended");
                                });
                            }
                            return all.replaceWith(due.size());
                        })), null)
                .call(n -> io.smallrye.mutiny.Multi.createFrom().iterable(users)
                        .onItem().transformToUniAndConcatenate(workflow::afterCommit).collect().last())
                .map(Views.ExpiryRun::new);
    }

    /**
     * Compares the bucket with the rows. Objects without a row and older than the grace period (an upload may be in
     * flight before its row commits, or a withdrawal's deletion still queued) are deleted; completed rows whose object
     * is missing are counted and logged for an operator (never silently dropped: they are KYC evidence).
     */
    public Uni<Views.ReconcileRun> reconcile() {
        return pool.withConnection(conn -> conn.preparedQuery("select pg_try_advisory_lock(hashtext($1))")
                .execute(Tuple.of(RECONCILE_LOCK)).map(rs -> rs.iterator().next().getBoolean(0))
                .chain(locked -> {
                    if (!locked) {
                        return Uni.createFrom().item(new Views.ReconcileRun(0, 0, 0, 0, 0));
                    }
                    return runReconcile().onTermination().call(() -> conn
                            .preparedQuery("select pg_advisory_unlock(hashtext($1))").execute(Tuple.of(RECONCILE_LOCK))
                            .onFailure().recoverWithNull().replaceWithVoid());
                }));
    }

    private Uni<Views.ReconcileRun> runReconcile() {
        Instant startedAt = ApplicationService.now();
        Instant graceLimit = startedAt.minus(config.jobs().orphanGrace());
        return workflow.read(() -> Panache.withSession(documents::allKeys)).chain(rows -> {
            Map<String, Boolean> known = new HashMap<>();
            for (Object[] r : rows) {
                known.put((String) r[0], r[1] != null);
            }
            Set<String> seen = new HashSet<>();
            AtomicLong objects = new AtomicLong();
            List<String> orphans = new ArrayList<>();
            return listAll(null, page -> {
                for (StorageGatewayClient.ListedObject o : page) {
                    objects.incrementAndGet();
                    if (known.containsKey(o.key())) {
                        seen.add(o.key());
                    } else if (o.lastModified() != null && o.lastModified().isBefore(graceLimit)) {
                        orphans.add(o.key());
                    }
                }
            }).chain(() -> {
                List<String> missing = known.entrySet().stream().filter(e -> e.getValue() && !seen.contains(e.getKey()))
                        .map(Map.Entry::getKey).sorted().toList();
                if (!missing.isEmpty()) {
                    LOG.errorf("%d completed KYC documents have no object in storage: %s", missing.size(),
                            missing.size() > 20 ? missing.subList(0, 20) + "..." : missing);
                }
                return recheckAndDelete(orphans).map(deleted -> {
                    metrics.reconciled(orphans.size(), deleted, missing.size());
                    return new Views.ReconcileRun(objects.get(), known.size(), orphans.size(), deleted, missing.size());
                });
            });
        });
    }

    /** A row may have been created since we read them: look each orphan up again before deleting it. */
    private Uni<Long> recheckAndDelete(List<String> orphans) {
        if (orphans.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return pool.preparedQuery("select storage_key from kyc.kyc_documents where storage_key = any($1)")
                .execute(Tuple.of(orphans.toArray(String[]::new)))
                .ifNoItem().after(config.dbTimeout()).failWith(TimeoutException::new)
                .chain(rs -> {
                    Set<String> now = new HashSet<>();
                    for (Row r : rs) {
                        now.add(r.getString(0));
                    }
                    Uni<Long> chain = Uni.createFrom().item(0L);
                    for (String key : orphans) {
                        if (now.contains(key)) {
                            continue;
                        }
                        chain = chain.chain(n -> gateway.delete(key).replaceWith(n + 1)
                                .invoke(() -> LOG.infof("deleted orphan object %s", key)));
                    }
                    return chain;
                });
    }

    private Uni<Void> listAll(String startAfter, java.util.function.Consumer<List<StorageGatewayClient.ListedObject>> sink) {
        return gateway.list(startAfter, LIST_PAGE).chain(page -> {
            sink.accept(page.items() == null ? List.of() : page.items());
            return page.nextStartAfter() == null ? Uni.createFrom().voidItem() : listAll(page.nextStartAfter(), sink);
        });
    }

    public Uni<Void> refreshQueueGauges() {
        return pool.query("""
                select status, count(*), extract(epoch from (now() - min(submitted_at)))::bigint
                from kyc.kyc_applications where status in ('submitted', 'under_review', 'additional_info_required')
                group by status""").execute()
                .ifNoItem().after(config.dbTimeout()).failWith(TimeoutException::new)
                .invoke(rs -> {
                    Map<String, Long> depth = new HashMap<>();
                    long oldest = 0;
                    for (Row r : rs) {
                        depth.put(r.getString(0), r.getLong(1));
                        if ("submitted".equals(r.getString(0)) && r.getLong(2) != null) {
                            oldest = r.getLong(2);
                        }
                    }
                    for (String s : List.of("submitted", "under_review", "additional_info_required")) {
                        metrics.queue(s, depth.getOrDefault(s, 0L));
                    }
                    metrics.oldestQueued(oldest);
                }).replaceWithVoid();
    }
}
