package dev.strata.settings.service;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.problem.StoreFailures;
import dev.strata.settings.config.SettingsConfig;

/**
 * The webhook channel's durable side: one pending delivery per enabled endpoint of the user, written once per
 * event (the unique key makes a redelivered event a no-op), then the worker is woken to send it.
 */
@ApplicationScoped
public class WebhookChannel implements DeliveryChannel {

    private final Pool pool;
    private final ObjectMapper json;
    private final SettingsConfig settings;
    private final WebhookDispatcher dispatcher;

    public WebhookChannel(Pool pool, ObjectMapper json, SettingsConfig settings, WebhookDispatcher dispatcher) {
        this.pool = pool;
        this.json = json;
        this.settings = settings;
        this.dispatcher = dispatcher;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Uni<Void> enqueue(Notification n) {
        String payload;
        try {
            payload = json.writeValueAsString(payload(n));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return StoreFailures.bounded(pool.preparedQuery("insert into settings.webhook_deliveries (id, endpoint_id,"
                + " user_id, event_id, event_type, payload, status, attempts, next_attempt_at)"
                + " select gen_random_uuid(), e.id, e.user_id, $2, $3, cast(cast($4 as text) as jsonb), 'pending', 0, now()"
                + " from settings.webhook_endpoints e where e.user_id = $1 and e.enabled"
                + " on conflict (endpoint_id, event_id) do nothing")
                .execute(Tuple.of(n.userId(), n.event().id(), n.event().type(), payload)),
                settings.dbTimeout(), SettingsService.STORE)
                .invoke(r -> {
                    if (r.rowCount() > 0) {
                        dispatcher.poke();
                    }
                }).replaceWithVoid();
    }

    /** The body receivers get: {@code {"type", "timestamp" (occurredAt, ISO-8601), "data"}}. */
    static Map<String, Object> payload(Notification n) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", n.event().type());
        body.put("timestamp", n.occurred().toString());
        body.put("data", n.data());
        return body;
    }
}
