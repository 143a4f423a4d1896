package dev.strata.settings.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.settings.config.SettingsConfig;
import dev.strata.settings.config.WebhookConfig;
import dev.strata.settings.domain.Webhook;
import dev.strata.settings.domain.WebhookDelivery;

/**
 * The user's webhook endpoints and their delivery logs. Every query names the owner: another user's id is simply
 * not found (404, never 403). Plain SQL on the reactive pool, each call bounded like the rest of the service.
 */
@ApplicationScoped
public class WebhookService {

    public static final int MAX_DESCRIPTION = 256;
    public static final String LIMIT_PROBLEM = "https://strata.dev/problems/webhooks/limit-reached";

    public record Rotated(UUID id, String secret, Instant previousSecretExpiresAt) {
    }

    public record DeliveryPage(List<WebhookDelivery> items, String nextCursor) {
    }

    private static final String COLUMNS = "id, url, description, enabled, disabled_reason, failing_since, created_at";

    private final Pool pool;
    private final SettingsConfig settings;
    private final WebhookConfig config;
    private final UrlGuard guard;
    private final WebhookDispatcher dispatcher;

    public WebhookService(Pool pool, SettingsConfig settings, WebhookConfig config, UrlGuard guard,
            WebhookDispatcher dispatcher) {
        this.pool = pool;
        this.settings = settings;
        this.config = config;
        this.guard = guard;
        this.dispatcher = dispatcher;
    }

    /**
     * Registers an endpoint after the URL passed the SSRF checks. The per-user limit is counted under a
     * transaction-scoped advisory lock on the user, so concurrent registrations cannot overshoot it.
     */
    public Uni<Webhook> create(UUID userId, String url, String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ProblemException.invalidField("description", "must be at most " + MAX_DESCRIPTION + " characters");
        }
        return guard.check(url).chain(target -> {
            UUID id = UUID.randomUUID();
            String secret = WebhookSigner.newSecret();
            return bounded(pool.withTransaction(conn -> conn
                    .preparedQuery("select pg_advisory_xact_lock(hashtextextended('webhooks:' || $1, 0))")
                    .execute(Tuple.of(userId.toString()))
                    .chain(() -> conn.preparedQuery("select count(*) from settings.webhook_endpoints where user_id = $1")
                            .execute(Tuple.of(userId)))
                    .chain(rows -> {
                        if (rows.iterator().next().getLong(0) >= config.maxEndpoints()) {
                            return Uni.createFrom().failure(new ProblemException(ProblemType.CONFLICT, LIMIT_PROBLEM,
                                    "At most " + config.maxEndpoints() + " webhook endpoints per user; delete one first",
                                    null, null, null));
                        }
                        return conn.preparedQuery("insert into settings.webhook_endpoints (id, user_id, url,"
                                + " description, secret) values ($1, $2, $3, $4, $5) returning " + COLUMNS)
                                .execute(Tuple.of(id, userId, url, description, secret));
                    })))
                    .map(rows -> withSecret(webhook(rows.iterator().next()), secret));
        });
    }

    public Uni<List<Webhook>> list(UUID userId) {
        return bounded(pool.preparedQuery("select " + COLUMNS + " from settings.webhook_endpoints where user_id = $1"
                + " order by created_at, id").execute(Tuple.of(userId))).map(rows -> {
                    List<Webhook> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(webhook(r));
                    }
                    return out;
                });
    }

    public Uni<Webhook> get(UUID userId, UUID id) {
        return bounded(pool.preparedQuery("select " + COLUMNS + " from settings.webhook_endpoints where id = $1"
                + " and user_id = $2").execute(Tuple.of(id, userId))).map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw notFound();
                    }
                    return webhook(rows.iterator().next());
                });
    }

    /** Deletes the endpoint and its delivery log (pending deliveries are never attempted again). */
    public Uni<Void> delete(UUID userId, UUID id) {
        return bounded(pool.preparedQuery("delete from settings.webhook_endpoints where id = $1 and user_id = $2")
                .execute(Tuple.of(id, userId))).map(r -> {
                    if (r.rowCount() != 1) {
                        throw notFound();
                    }
                    return null;
                });
    }

    /**
     * A new secret; the current one becomes the previous one and keeps signing until the overlap ends (a second
     * rotation within the overlap drops the oldest).
     */
    public Uni<Rotated> rotate(UUID userId, UUID id) {
        String secret = WebhookSigner.newSecret();
        OffsetDateTime until = OffsetDateTime.now(ZoneOffset.UTC).plus(config.secretOverlap());
        return bounded(pool.preparedQuery("update settings.webhook_endpoints set previous_secret = secret,"
                + " previous_secret_until = $3, secret = $4 where id = $1 and user_id = $2 returning id")
                .execute(Tuple.of(id, userId, until, secret))).map(r -> {
                    if (r.rowCount() != 1) {
                        throw notFound();
                    }
                    return new Rotated(id, secret, until.toInstant());
                });
    }

    /** The endpoint's log, newest first; the cursor is opaque ({@code createdAt|id}, base64url). */
    public Uni<DeliveryPage> deliveries(UUID userId, UUID endpointId, String cursor, int limit) {
        Instant before = null;
        UUID beforeId = null;
        if (cursor != null) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
                before = Instant.parse(parts[0]);
                beforeId = UUID.fromString(parts[1]);
            } catch (RuntimeException x) {
                throw ProblemException.invalidField("cursor", "is not a cursor this service issued");
            }
        }
        String sql = "select id, event_id, event_type, status, attempts, last_status_code, last_error, next_attempt_at,"
                + " created_at, delivered_at from settings.webhook_deliveries where endpoint_id = $1 and user_id = $2"
                + (before == null ? "" : " and (created_at, id) < ($4, $5)")
                + " order by created_at desc, id desc limit $3";
        Tuple args = before == null ? Tuple.of(endpointId, userId, limit + 1)
                : Tuple.of(endpointId, userId, limit + 1, before.atOffset(ZoneOffset.UTC), beforeId);
        return get(userId, endpointId).chain(() -> bounded(pool.preparedQuery(sql).execute(args))).map(rows -> {
            List<WebhookDelivery> items = new ArrayList<>();
            for (Row r : rows) {
                items.add(delivery(r));
            }
            String next = null;
            if (items.size() > limit) {
                items = new ArrayList<>(items.subList(0, limit));
                WebhookDelivery last = items.get(limit - 1);
                next = Base64.getUrlEncoder().withoutPadding()
                        .encodeToString((last.createdAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
            }
            return new DeliveryPage(items, next);
        });
    }

    /**
     * Queues a delivery again: a new attempt cycle (attempts from 0, a fresh max-age), same {@code webhook-id}.
     * An attempt of the previous cycle still in flight cannot overwrite it (its claim is gone). A disabled
     * endpoint's delivery is a 409: nothing would send it.
     */
    public Uni<Void> redeliver(UUID userId, UUID endpointId, UUID deliveryId) {
        return get(userId, endpointId).chain(endpoint -> {
            if (!endpoint.enabled()) {
                return Uni.createFrom().failure(ProblemException.conflict("The endpoint is disabled"));
            }
            return bounded(pool.preparedQuery("update settings.webhook_deliveries set status = 'pending', attempts = 0,"
                    + " next_attempt_at = now(), claim_id = null, last_error = null, last_status_code = null,"
                    + " delivered_at = null, cycle_started_at = now() where id = $1 and endpoint_id = $2 and user_id = $3")
                    .execute(Tuple.of(deliveryId, endpointId, userId))).map(r -> {
                        if (r.rowCount() != 1) {
                            throw ProblemException.notFound("No such delivery");
                        }
                        dispatcher.poke();
                        return null;
                    });
        });
    }

    static ProblemException notFound() {
        return ProblemException.notFound("No such webhook");
    }

    private static Webhook withSecret(Webhook w, String secret) {
        return new Webhook(w.id(), w.url(), w.description(), w.enabled(), w.disabledReason(), w.failingSince(),
                w.createdAt(), secret);
    }

    private static Webhook webhook(Row r) {
        return new Webhook(r.getUUID(0), r.getString(1), r.getString(2), r.getBoolean(3), r.getString(4),
                instant(r.getOffsetDateTime(5)), instant(r.getOffsetDateTime(6)), null);
    }

    private static WebhookDelivery delivery(Row r) {
        return new WebhookDelivery(r.getUUID(0), r.getUUID(1), r.getString(2), r.getString(3), r.getInteger(4),
                r.getInteger(5), r.getString(6), instant(r.getOffsetDateTime(7)), instant(r.getOffsetDateTime(8)),
                instant(r.getOffsetDateTime(9)));
    }

    static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private <T> Uni<T> bounded(Uni<T> call) {
        return StoreFailures.bounded(call, settings.dbTimeout(), SettingsService.STORE);
    }
}
