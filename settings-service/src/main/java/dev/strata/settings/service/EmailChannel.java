package dev.strata.settings.service;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.settings.config.SettingsConfig;

/**
 * The e-mail channel's durable side: {@link #enqueue} records in {@code settings.email_outbox} that a message is
 * owed (once per user and event, however often the event is redelivered) and pokes the {@link EmailSender}, which
 * looks the address up, renders and sends it.
 */
@ApplicationScoped
public class EmailChannel implements DeliveryChannel {

    private final Pool pool;
    private final ObjectMapper json;
    private final SettingsConfig config;
    private final EmailSender sender;

    public EmailChannel(Pool pool, ObjectMapper json, SettingsConfig config, EmailSender sender) {
        this.pool = pool;
        this.json = json;
        this.config = config;
        this.sender = sender;
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public Uni<Void> enqueue(Notification n) {
        EventEnvelope e = n.event();
        String data;
        try {
            data = n.dataJson(json);
        } catch (JsonProcessingException x) {
            return Uni.createFrom().failure(x);
        }
        return StoreFailures.bounded(pool.preparedQuery("insert into settings.email_outbox (id, user_id, event_id,"
                + " event_type, category, data, occurred_at) values ($1, $2, $3, $4, $5, cast(cast($6 as text) as jsonb),"
                + " $7) on conflict (user_id, event_id) do nothing")
                .execute(Tuple.tuple().addValue(UUID.randomUUID()).addValue(n.userId()).addValue(e.id())
                        .addValue(e.type()).addValue(n.category()).addValue(data).addValue(n.occurredUtc())),
                config.dbTimeout(), SettingsService.STORE)
                .invoke(r -> {
                    if (r.rowCount() == 1) {
                        sender.poke();
                    }
                }).replaceWithVoid();
    }
}
