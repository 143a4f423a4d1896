package dev.strata.settings.service;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.All;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.settings.config.SettingsConfig;
import dev.strata.settings.domain.Notifications;

/**
 * Turns the suite's events into notifications: which user, which category, and, where the user wants that
 * category in the app, a row in their inbox (once per event, however often the event is delivered). Plain SQL on
 * the reactive pool: the durable consumer runs outside any request, where no Hibernate session exists.
 */
@ApplicationScoped
public class NotificationService {

    private static final Logger LOG = Logger.getLogger(NotificationService.class);

    /** An inbox entry as the API shows it. */
    public record InboxItem(UUID id, String category, String type, Map<String, Object> data, Instant occurredAt,
            Instant createdAt, Instant readAt) {
    }

    public record InboxPage(List<InboxItem> items, long unread, String nextCursor) {
    }

    private final Pool pool;
    private final ObjectMapper json;
    private final SettingsConfig config;
    private final MeterRegistry meters;
    private final List<DeliveryChannel> channels;
    private final PushHub push;
    private final AuthDirectory directory;

    public NotificationService(Pool pool, ObjectMapper json, SettingsConfig config, MeterRegistry meters,
            @All List<DeliveryChannel> channels, PushHub push, AuthDirectory directory) {
        this.pool = pool;
        this.directory = directory;
        this.push = push;
        this.channels = channels;
        this.json = json;
        this.config = config;
        this.meters = meters;
    }

    /** The category of an event type, or empty for events nobody is notified of. */
    public static Optional<String> category(String type) {
        if (type == null) {
            return Optional.empty();
        }
        return switch (type) {
            case "kyc.approved", "kyc.rejected", "kyc.additional_info_required", "kyc.expired" -> Optional.of("kyc");
            case "accounts.linked", "accounts.unlinked", "accounts.password_changed", "accounts.sessions_revoked",
                    "accounts.wallet_linked", "accounts.wallet_unlinked", "accounts.passkey_added",
                    "accounts.passkey_removed", "accounts.mfa_enabled", "accounts.mfa_disabled",
                    "accounts.password_reset", "accounts.email_changed", "sessions.created" -> Optional.of("security");
            default -> type.startsWith("alerts.") ? Optional.of("alerts")
                    : type.startsWith("transfers.") ? Optional.of("transfers") : Optional.empty();
        };
    }

    /** Handles one event of a durable stream; fails (to be redelivered) only when a store or auth-service does. */
    public Uni<Void> handle(EventEnvelope e) {
        if (TransferWatcher.OBSERVED.equals(e.type())) {
            return transfer(e);
        }
        Optional<String> category = category(e.type());
        Object user = e.data() == null ? null : e.data().get("userId");
        UUID userId;
        try {
            userId = user == null ? null : UUID.fromString(user.toString());
        } catch (IllegalArgumentException x) {
            userId = null;
        }
        if (category.isEmpty() || userId == null) {
            count("none", e.type(), "skipped");
            return Uni.createFrom().voidItem();
        }
        return deliver(new Notification(userId, category.get(), e));
    }

    /**
     * A token transfer concerns the owners of its two wallets, if Strata knows them: the sender is told of
     * {@code transfers.sent}, the receiver of {@code transfers.received}, each with an id of its own derived from
     * the transfer's, so a redelivery is still once.
     */
    Uni<Void> transfer(EventEnvelope e) {
        if (!directory.configured()) {
            count("none", e.type(), "no-directory");
            return Uni.createFrom().voidItem();
        }
        Map<String, Object> data = e.data() == null ? Map.of() : e.data();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String side : List.of("from", "to")) {
            Object address = data.get(side);
            if (address == null) {
                continue;
            }
            String type = "from".equals(side) ? "transfers.sent" : "transfers.received";
            chain = chain.chain(() -> directory.walletOwner(address.toString())).chain(owner -> {
                if (owner.isEmpty()) {
                    count("none", type, "no-owner");
                    return Uni.createFrom().voidItem();
                }
                Map<String, Object> mine = new java.util.LinkedHashMap<>(data);
                mine.put("userId", owner.get().toString());
                mine.put("direction", "from".equals(side) ? "sent" : "received");
                UUID id = UUID.nameUUIDFromBytes((e.id() + "|" + side).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return deliver(new Notification(owner.get(), "transfers",
                        new EventEnvelope(id, type, e.occurredAt(), owner.get().toString(), mine)));
            });
        }
        return chain;
    }

    /** The inbox (push) first, then every other channel the user wants this category on, one after the other. */
    public Uni<Void> deliver(Notification n) {
        Uni<Void> chain = wants(n.userId(), "push", n.category()).chain(on -> {
            if (!on) {
                count("push", n.event().type(), "opted-out");
                return Uni.createFrom().voidItem();
            }
            return toInbox(n).chain(added -> {
                count("push", n.event().type(), added == null ? "duplicate" : "delivered");
                // live only for a new entry: a redelivered event was pushed the first time
                return added == null ? Uni.createFrom().voidItem() : push.publish(n.userId(), added);
            });
        });
        for (DeliveryChannel channel : channels) {
            chain = chain.chain(() -> wants(n.userId(), channel.name(), n.category())).chain(on -> {
                if (!on) {
                    count(channel.name(), n.event().type(), "opted-out");
                    return Uni.createFrom().voidItem();
                }
                return channel.enqueue(n).invoke(() -> count(channel.name(), n.event().type(), "queued"));
            });
        }
        return chain;
    }

    private void count(String channel, String type, String outcome) {
        meters.counter("strata.notifications.deliveries", "channel", channel, "type", String.valueOf(type),
                "outcome", outcome).increment();
    }

    Uni<Boolean> wants(UUID userId, String channel, String category) {
        return bounded(pool.preparedQuery("select enabled from settings.notification_settings"
                + " where user_id = $1 and channel = $2 and category = $3").execute(Tuple.of(userId, channel, category)))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getBoolean(0)
                        : Notifications.byDefault(channel, category));
    }

    /** The new entry, or null when the user already has this event. */
    Uni<InboxItem> toInbox(Notification n) {
        String data;
        try {
            data = n.dataJson(json);
        } catch (JsonProcessingException x) {
            return Uni.createFrom().failure(x);
        }
        return bounded(pool.preparedQuery("insert into settings.inbox (id, user_id, event_id, category, type, data,"
                + " occurred_at) values ($1, $2, $3, $4, $5, cast(cast($6 as text) as jsonb), $7)"
                + " on conflict (user_id, event_id) do nothing"
                + " returning id, category, type, data::text, occurred_at, created_at, read_at")
                .execute(Tuple.tuple().addValue(UUID.randomUUID()).addValue(n.userId()).addValue(n.event().id())
                        .addValue(n.category()).addValue(n.event().type()).addValue(data).addValue(n.occurredUtc())))
                .map(rows -> rows.iterator().hasNext() ? item(rows.iterator().next()) : null);
    }

    // --- the inbox API -----------------------------------------------------------------------------------------

    public Uni<InboxPage> page(UUID userId, String cursor, int limit, boolean unreadOnly) {
        Instant before = null;
        UUID beforeId = null;
        if (cursor != null) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8)
                        .split("\\|", 2);
                before = Instant.parse(parts[0]);
                beforeId = UUID.fromString(parts[1]);
            } catch (RuntimeException x) {
                throw ProblemException.invalidField("cursor", "is not a cursor this service issued");
            }
        }
        String sql = "select id, category, type, data::text, occurred_at, created_at, read_at from settings.inbox"
                + " where user_id = $1" + (unreadOnly ? " and read_at is null" : "")
                + (before == null ? "" : " and (created_at, id) < ($3, $4)")
                + " order by created_at desc, id desc limit $2";
        Tuple args = before == null ? Tuple.of(userId, limit + 1)
                : Tuple.of(userId, limit + 1, before.atOffset(ZoneOffset.UTC), beforeId);
        return bounded(pool.preparedQuery(sql).execute(args)).chain(rows -> {
            List<InboxItem> items = new ArrayList<>();
            for (Row r : rows) {
                items.add(item(r));
            }
            String next = null;
            if (items.size() > limit) {
                items = items.subList(0, limit);
                InboxItem last = items.get(limit - 1);
                next = Base64.getUrlEncoder().withoutPadding().encodeToString((last.createdAt() + "|" + last.id())
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            List<InboxItem> page = items;
            String cursorOut = next;
            return unread(userId).map(n -> new InboxPage(page, n, cursorOut));
        });
    }

    public Uni<Long> unread(UUID userId) {
        return bounded(pool.preparedQuery("select count(*) from settings.inbox where user_id = $1 and read_at is null")
                .execute(Tuple.of(userId))).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Marks one of the user's entries read; another user's id is simply not found. */
    public Uni<Boolean> markRead(UUID userId, UUID id) {
        return bounded(pool.preparedQuery("update settings.inbox set read_at = coalesce(read_at, now())"
                + " where id = $1 and user_id = $2").execute(Tuple.of(id, userId))).map(r -> r.rowCount() == 1);
    }

    public Uni<Integer> markAllRead(UUID userId) {
        return bounded(pool.preparedQuery("update settings.inbox set read_at = now() where user_id = $1"
                + " and read_at is null").execute(Tuple.of(userId))).map(r -> r.rowCount());
    }

    @SuppressWarnings("unchecked")
    private static InboxItem item(Row r) {
        Map<String, Object> data = new JsonObject(r.getString(3)).getMap();
        return new InboxItem(r.getUUID(0), r.getString(1), r.getString(2), data,
                r.getOffsetDateTime(4).toInstant(), r.getOffsetDateTime(5).toInstant(),
                r.getOffsetDateTime(6) == null ? null : r.getOffsetDateTime(6).toInstant());
    }

    private <T> Uni<T> bounded(Uni<T> call) {
        return StoreFailures.bounded(call, config.dbTimeout(), SettingsService.STORE);
    }
}
