package dev.strata.kyc.service;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

import dev.strata.kyc.config.KycConfig;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.events.outbox.OutboxRelay;
import dev.strata.platform.events.stream.DurableConsumer;

/**
 * Wires the platform's durable-event machinery for kyc-service: the relay of {@code kyc.outbox}, and the consumer
 * that deletes objects of withdrawn applications and replaced documents. That consumer retries until the gateway
 * confirms (deletes are idempotent), so an object is never left behind because the gateway was down at the time.
 */
@ApplicationScoped
public class OutboxWiring {

    private static final Logger LOG = Logger.getLogger(OutboxWiring.class);
    public static final String CLEANUP_GROUP = "kyc-object-cleanup";

    private final OutboxRelay relay;
    private final DurableConsumer cleanup;
    private final KycConfig config;
    private final Vertx vertx;

    public OutboxWiring(Pool pool, ReactiveRedisDataSource redis, ObjectMapper json, MeterRegistry meters,
            KycConfig config, StorageGateway gateway, KycMetrics metrics, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
        OutboxRelay.Options defaults = OutboxRelay.Options.defaults();
        this.relay = new OutboxRelay(pool, redis, KycEvents.OUTBOX_TABLE, new OutboxRelay.Options(defaults.batchSize(),
                config.events().relayInterval(), defaults.streamMaxLen(), defaults.sentRetention(), defaults.timeout()),
                meters);
        this.cleanup = DurableConsumer.builder(redis, json, meters)
                .family(KycEvents.STORAGE_FAMILY)
                .group(CLEANUP_GROUP)
                // never dead-letter: the reconciler is the only other way such an object would go
                .maxAttempts(Integer.MAX_VALUE)
                .claimMinIdle(config.events().cleanupRetryAfter())
                .block(Duration.ofSeconds(1))
                .handler(e -> deleteObjects(e, gateway, metrics))
                .build();
    }

    void onStart(@Observes StartupEvent event) {
        if (config.events().relayEnabled()) {
            relay.start(vertx);
        }
        if (config.events().cleanupEnabled()) {
            cleanup.start(vertx);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        cleanup.stop();
        relay.stop();
    }

    /** Wakes the relay right after a commit, so events leave within milliseconds rather than at the next tick. */
    public void poke() {
        if (config.events().relayEnabled()) {
            relay.poke();
        }
    }

    public DurableConsumer cleanup() {
        return cleanup;
    }

    @SuppressWarnings("unchecked")
    private static Uni<Void> deleteObjects(EventEnvelope e, StorageGateway gateway, KycMetrics metrics) {
        if (!KycEvents.DELETE_REQUESTED.equals(e.type())) {
            return Uni.createFrom().voidItem();
        }
        Object keys = e.data() == null ? null : e.data().get("keys");
        if (!(keys instanceof List<?> list)) {
            LOG.warnf("object deletion event %s has no keys; ignored", e.id());
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable((List<Object>) list)
                .onItem().transformToUniAndConcatenate(k -> gateway.delete(String.valueOf(k))
                        .invoke(metrics::objectDeleted))
                .collect().last().replaceWithVoid();
    }
}
