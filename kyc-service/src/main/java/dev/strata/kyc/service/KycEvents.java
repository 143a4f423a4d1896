package dev.strata.kyc.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.domain.KycApplication;
import dev.strata.kyc.domain.Status;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.events.outbox.Outbox;

/**
 * Events written to {@code kyc.outbox} inside the transaction of the change they announce; the relay publishes them
 * to {@code strata:events:kyc} (+ pub/sub {@code strata.kyc.<event>}) after the commit. Object deletions travel on
 * their own family ({@code kyc-storage}) so other services' consumers of {@code kyc} never see storage keys.
 */
@ApplicationScoped
public class KycEvents {

    public static final String OUTBOX_TABLE = "kyc.outbox";
    public static final String STORAGE_FAMILY = "kyc-storage";
    public static final String DELETE_REQUESTED = "kyc-storage.delete-requested";

    private final Outbox outbox;

    public KycEvents(ObjectMapper json) {
        this.outbox = new Outbox(OUTBOX_TABLE, json);
    }

    /** {@code kyc.submitted}, {@code kyc.under_review}, {@code kyc.approved}, ... one per status change. */
    public Uni<Void> statusChanged(KycApplication app, Status from, Status to) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("applicationId", app.id.toString());
        data.put("userId", app.userId.toString());
        data.put("fromStatus", from == null ? null : from.id());
        data.put("toStatus", to.id());
        data.put("reasonCodes", to.decision() ? app.reasonCodes() : List.of());
        return append(EventEnvelope.of("kyc." + to.id(), app.userId.toString(), data));
    }

    public Uni<Void> withdrawn(KycApplication app) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("applicationId", app.id.toString());
        data.put("userId", app.userId.toString());
        data.put("fromStatus", app.status);
        data.put("toStatus", null);
        data.put("reasonCodes", List.of());
        return append(EventEnvelope.of("kyc.withdrawn", app.userId.toString(), data));
    }

    /** Asks the object-cleanup consumer to delete these keys once the transaction has committed. */
    public Uni<Void> deleteObjects(String applicationId, List<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return append(EventEnvelope.of(DELETE_REQUESTED, applicationId,
                Map.of("applicationId", applicationId, "keys", keys)));
    }

    private Uni<Void> append(EventEnvelope e) {
        return Panache.getSession().chain(s -> outbox.append(s, e));
    }
}
