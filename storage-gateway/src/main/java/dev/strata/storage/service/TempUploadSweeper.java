package dev.strata.storage.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.ObjectKeys;

/**
 * Deletes temporary uploads older than the expiry, for backends without lifecycle rules (and as a backstop for
 * those with them). Only {@code {userId}/temp/...} keys in {@code user-uploads} are ever touched; promoted
 * copies live in other buckets. Runs on a Vert.x timer, the work itself on a worker thread.
 */
@ApplicationScoped
public class TempUploadSweeper {

    private static final Logger LOG = Logger.getLogger(TempUploadSweeper.class);

    private final ObjectStore store;
    private final StorageConfig config;
    private final StorageMetrics metrics;
    private final Clock clock;
    private final PeriodicJob job;

    public TempUploadSweeper(ObjectStore store, StorageConfig config, StorageMetrics metrics, Clock clock, Vertx vertx) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.job = new PeriodicJob(vertx, "Sweep of temporary uploads", () -> sweep(clock.instant()));
    }

    void onStart(@Observes StartupEvent event) {
        StorageConfig.Sweeper c = config.sweeper();
        if (c.enabled()) {
            job.start(c.initialDelay(), c.interval());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        job.stop();
    }

    /**
     * Deletes every temporary upload last modified before {@code now - expiry}. Blocking.
     *
     * @return the keys deleted
     */
    public synchronized List<String> sweep(Instant now) throws Exception {
        String bucket = config.buckets().userUploads().name();
        Instant cutoff = now.minus(config.buckets().userUploads().tempExpiry());
        List<ObjectInfo> expired = store.listNow(bucket, null, o -> ObjectKeys.isTempKey(o.key())
                && o.lastModified() != null && o.lastModified().isBefore(cutoff));
        for (ObjectInfo o : expired) {
            store.deleteNow(bucket, o.key());
        }
        if (!expired.isEmpty()) {
            metrics.sweeperDeleted(expired.size());
            LOG.infof("Swept %d temporary upload(s) older than %s", expired.size(), cutoff);
        }
        return expired.stream().map(ObjectInfo::key).toList();
    }
}
