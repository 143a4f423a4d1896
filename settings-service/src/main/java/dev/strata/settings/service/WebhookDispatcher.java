package dev.strata.settings.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.settings.config.SettingsConfig;
import dev.strata.settings.config.WebhookConfig;

/**
 * The webhook worker: every {@code poll-interval} (and at once when a delivery is queued) it claims due
 * deliveries with {@code for update skip locked} and a lease (several replicas never send the same attempt; a
 * replica dying mid-attempt leaves the row due again when the lease ends), sends each one signed, and records the
 * outcome: 2xx succeeded; network error, timeout, 5xx, 429 retried with exponential backoff and jitter (a
 * {@code Retry-After} of 429/503 honoured); any other status failed for good. An endpoint failing for
 * {@code disable-after} without a success is disabled and its owner told in the inbox.
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    public static final String DISABLED_EVENT = "alerts.webhook_disabled";

    /** A claimed delivery with what sending it needs. */
    record Claimed(UUID id, UUID endpointId, UUID userId, String eventType, String payload, int attempts,
            Instant cycleStartedAt, String url, String secret, String previousSecret, boolean enabled) {
    }

    /** How one attempt ended. */
    record Outcome(String kind, Integer statusCode, String error, Duration retryAfter) {
        static Outcome of(String kind, Integer code, String error) {
            return new Outcome(kind, code, error, null);
        }
    }

    private final Pool pool;
    private final Vertx vertx;
    private final WebhookConfig config;
    private final SettingsConfig settings;
    private final UrlGuard guard;
    private final Instance<NotificationService> notifications;
    private final MeterRegistry meters;
    private final WebClient http;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong pending = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean started;
    private long timer = -1;
    private long gaugeTimer = -1;

    public WebhookDispatcher(Pool pool, Vertx vertx, WebhookConfig config, SettingsConfig settings, UrlGuard guard,
            Instance<NotificationService> notifications, MeterRegistry meters) {
        this.pool = pool;
        this.vertx = vertx;
        this.config = config;
        this.settings = settings;
        this.guard = guard;
        this.notifications = notifications;
        this.meters = meters;
        // redirects are never followed: a 3xx could point anywhere, past the SSRF checks
        this.http = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis()).setFollowRedirects(false)
                .setUserAgent("Strata-Webhooks/1").setKeepAlive(false).setVerifyHost(true));
    }

    void onStart(@Observes StartupEvent e) {
        if (config.workerEnabled()) {
            started = true;
            timer = vertx.setPeriodic(Math.max(10, config.pollInterval().toMillis()), id -> poke());
            // the backlog as a gauge, refreshed every 10 s (a count per scrape would cost a query each time)
            meters.gauge("strata.webhooks.pending", pending);
            gaugeTimer = vertx.setPeriodic(10_000, id -> bounded(pool.query("select count(*) from"
                    + " settings.webhook_deliveries where status = 'pending'").execute())
                    .subscribe().with(rows -> pending.set(rows.iterator().next().getLong(0)),
                            x -> LOG.debugf("pending count: %s", x)));
        }
    }

    void onStop(@Observes ShutdownEvent e) {
        started = false;
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
        if (gaugeTimer != -1) {
            vertx.cancelTimer(gaugeTimer);
        }
        http.close();
    }

    /** Runs a round now (or right after the running one): one round at a time per replica. */
    public void poke() {
        if (!started) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        round().subscribe().with(this::finished, e -> {
            LOG.warnf("webhook round failed: %s", e.toString());
            finished(0);
        });
    }

    private void finished(int claimed) {
        running.set(false);
        // more may be due: a full batch, or a poke that arrived meanwhile
        if (again.getAndSet(false) || claimed >= config.batchSize()) {
            vertx.runOnContext(this::poke);
        }
    }

    /**
     * Claims up to a batch of due deliveries and attempts them all; the number claimed. Safe to run concurrently
     * (other replicas do): rows are claimed with skip locked and a lease.
     */
    public Uni<Integer> round() {
        double lease = config.dnsTimeout().plus(config.connectTimeout()).plus(config.requestTimeout()).toMillis()
                / 1000.0 + 30;
        UUID claim = UUID.randomUUID();
        return bounded(pool.preparedQuery("with due as (select id from settings.webhook_deliveries"
                + " where status = 'pending' and next_attempt_at <= now() order by next_attempt_at limit $1"
                + " for update skip locked)"
                + " update settings.webhook_deliveries d set next_attempt_at = now() + make_interval(secs => $2),"
                + " claim_id = $3 from due, settings.webhook_endpoints e where d.id = due.id and e.id = d.endpoint_id"
                + " returning d.id, d.endpoint_id, d.user_id, d.event_type, d.payload::text, d.attempts,"
                + " d.cycle_started_at, e.url, e.secret,"
                + " case when e.previous_secret_until > now() then e.previous_secret end, e.enabled")
                .execute(Tuple.of(config.batchSize(), lease, claim))).chain(rows -> {
                    List<Uni<Void>> attempts = new ArrayList<>();
                    for (Row r : rows) {
                        Claimed c = new Claimed(r.getUUID(0), r.getUUID(1), r.getUUID(2), r.getString(3),
                                r.getString(4), r.getInteger(5), r.getOffsetDateTime(6).toInstant(), r.getString(7),
                                r.getString(8), r.getString(9), r.getBoolean(10));
                        attempts.add(attempt(c, claim).onFailure().recoverWithItem(e -> {
                            // the outcome could not be recorded: the lease ends and the attempt is made again
                            LOG.warnf("webhook delivery %s: %s", c.id(), e.toString());
                            return null;
                        }));
                    }
                    if (attempts.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return Uni.join().all(attempts).andFailFast().map(List::size);
                });
    }

    Uni<Void> attempt(Claimed c, UUID claim) {
        if (!c.enabled()) {
            return bounded(pool.preparedQuery("update settings.webhook_deliveries set status = 'failed',"
                    + " next_attempt_at = null, claim_id = null, last_error = 'endpoint disabled'"
                    + " where id = $1 and claim_id = $2").execute(Tuple.of(c.id(), claim))).replaceWithVoid();
        }
        UrlGuard.Target target;
        try {
            target = guard.parse(c.url());
        } catch (RuntimeException e) {
            // e.g. the allow-list no longer names this plain-http host
            return record(c, claim, Outcome.of("blocked", null, "URL no longer allowed"));
        }
        return guard.vet(target)
                .chain(addresses -> send(c, target, addresses))
                .onFailure().recoverWithItem(e -> {
                    if (e instanceof UrlGuard.BlockedException b) {
                        return Outcome.of("blocked", null, b.getMessage());
                    }
                    if (e instanceof UnknownHostException) {
                        return Outcome.of("retry", null, "host name does not resolve");
                    }
                    if (e instanceof TimeoutException) {
                        return Outcome.of("retry", null, "timed out");
                    }
                    return Outcome.of("retry", null, "network error: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                })
                .chain(outcome -> record(c, claim, outcome));
    }

    /** One signed POST, to the vetted address (never a second DNS answer) with the URL's host as Host and SNI. */
    private Uni<Outcome> send(Claimed c, UrlGuard.Target t, List<InetAddress> addresses) {
        byte[] body = c.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        String webhookId = c.id().toString();
        RequestOptions options = new RequestOptions().setHost(t.host()).setPort(t.port()).setURI(t.pathAndQuery())
                .setSsl(t.https()).setFollowRedirects(false);
        HttpRequest<Buffer> request = addresses.isEmpty() ? http.request(HttpMethod.POST, options)
                : http.request(HttpMethod.POST,
                        SocketAddress.inetSocketAddress(t.port(), addresses.get(0).getHostAddress()), options);
        Timer.Sample sample = Timer.start(meters);
        return request.followRedirects(false).timeout(config.requestTimeout().toMillis())
                .putHeader("content-type", "application/json")
                .putHeader("webhook-id", webhookId)
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature",
                        WebhookSigner.header(c.secret(), c.previousSecret(), webhookId, timestamp, body))
                .as(BodyCodec.none())
                .sendBuffer(Buffer.buffer(body))
                // the client's timeout is an idle timeout: a receiver trickling bytes is cut off here
                .ifNoItem().after(config.connectTimeout().plus(config.requestTimeout())).failWith(TimeoutException::new)
                .eventually(() -> sample.stop(meters.timer("strata.webhooks.latency")))
                .map(this::classify);
    }

    private Outcome classify(HttpResponse<?> r) {
        int sc = r.statusCode();
        if (sc >= 200 && sc < 300) {
            return Outcome.of("succeeded", sc, null);
        }
        if (sc == 429 || sc >= 500) {
            Duration after = sc == 429 || sc == 503 ? retryAfter(r.getHeader("Retry-After")) : null;
            return new Outcome("retry", sc, "HTTP " + sc, after);
        }
        return Outcome.of("failed", sc, "HTTP " + sc + (sc < 400 ? " (redirects are not followed)" : ""));
    }

    /** {@code Retry-After}: delay-seconds or an HTTP-date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long s = Long.parseLong(v);
            return s < 0 ? null : Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            // an HTTP-date then
        }
        try {
            Duration d = Duration.between(Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Exponential backoff with jitter: base·2^(n-1), capped, drawn from [half of it, all of it]. */
    Duration backoff(int attemptsMade) {
        long base = config.backoffBase().toMillis();
        long cap = config.backoffCap().toMillis();
        long exp = attemptsMade >= 30 ? cap : Math.min(cap, base * (1L << Math.max(0, attemptsMade - 1)));
        return Duration.ofMillis(exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1));
    }

    private Uni<Void> record(Claimed c, UUID claim, Outcome o) {
        meters.counter("strata.webhooks.attempts", "outcome", o.kind()).increment();
        if (o.kind().equals("succeeded")) {
            return bounded(pool.preparedQuery("update settings.webhook_deliveries set status = 'succeeded',"
                    + " attempts = attempts + 1, last_status_code = $3, last_error = null, next_attempt_at = null,"
                    + " claim_id = null, delivered_at = now() where id = $1 and claim_id = $2")
                    .execute(Tuple.of(c.id(), claim, o.statusCode())))
                    .chain(() -> bounded(pool.preparedQuery("update settings.webhook_endpoints set failing_since = null"
                            + " where id = $1 and failing_since is not null").execute(Tuple.of(c.endpointId()))))
                    .replaceWithVoid();
        }
        int made = c.attempts() + 1;
        Duration delay = o.retryAfter() != null ? min(o.retryAfter(), config.retryAfterMax()) : backoff(made);
        Instant next = Instant.now().plus(delay);
        boolean giveUp = o.kind().equals("failed") || made >= config.maxAttempts()
                || next.isAfter(c.cycleStartedAt().plus(config.maxAge()));
        String error = o.error() == null ? null : o.error().length() > 500 ? o.error().substring(0, 500) : o.error();
        return bounded(pool.preparedQuery("update settings.webhook_deliveries set status = $3, attempts = attempts + 1,"
                + " last_status_code = $4, last_error = $5, next_attempt_at = $6, claim_id = null"
                + " where id = $1 and claim_id = $2")
                .execute(Tuple.tuple().addValue(c.id()).addValue(claim).addValue(giveUp ? "failed" : "pending")
                        .addValue(o.statusCode()).addValue(error)
                        .addValue(giveUp ? null : next.atOffset(ZoneOffset.UTC))))
                .chain(() -> bounded(pool.preparedQuery("update settings.webhook_endpoints"
                        + " set failing_since = coalesce(failing_since, now()) where id = $1 and enabled"
                        + " returning failing_since <= now() - make_interval(secs => $2)")
                        .execute(Tuple.of(c.endpointId(), config.disableAfter().toMillis() / 1000.0))))
                .chain(rows -> rows.iterator().hasNext() && rows.iterator().next().getBoolean(0)
                        ? disable(c.endpointId()) : Uni.createFrom().voidItem());
    }

    /**
     * Disables a failing endpoint (once, whichever replica gets there first), fails its pending deliveries, and
     * tells the owner: an {@code alerts.webhook_disabled} notification through every channel they want alerts
     * on (this endpoint, disabled now, is not one of them: no loop).
     */
    Uni<Void> disable(UUID endpointId) {
        return bounded(pool.withTransaction(conn -> conn.preparedQuery("update settings.webhook_endpoints"
                + " set enabled = false, disabled_reason = 'deliveries failing since ' || failing_since::text"
                + " where id = $1 and enabled returning user_id, url, failing_since")
                .execute(Tuple.of(endpointId)).call(rows -> rows.rowCount() == 0 ? Uni.createFrom().voidItem()
                        : conn.preparedQuery("update settings.webhook_deliveries set status = 'failed',"
                                + " next_attempt_at = null, claim_id = null, last_error = 'endpoint disabled'"
                                + " where endpoint_id = $1 and status = 'pending'").execute(Tuple.of(endpointId)))))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    Row r = rows.iterator().next();
                    UUID userId = r.getUUID(0);
                    OffsetDateTime since = r.getOffsetDateTime(2);
                    LOG.infof("webhook %s disabled: failing since %s", endpointId, since);
                    // a stable id: the same disabling is one inbox entry however often this is retried
                    UUID eventId = UUID.nameUUIDFromBytes(("webhook-disabled:" + endpointId + ":" + since)
                            .getBytes(StandardCharsets.UTF_8));
                    EventEnvelope event = new EventEnvelope(eventId, DISABLED_EVENT, Instant.now(), userId.toString(),
                            Map.of("userId", userId.toString(), "webhookId", endpointId.toString(),
                                    "url", r.getString(1)));
                    return notifications.get().deliver(new Notification(userId, "alerts", event))
                            .onFailure().retry().withBackOff(Duration.ofMillis(500)).atMost(3)
                            .onFailure().recoverWithItem(e -> {
                                LOG.warnf("could not notify %s of disabled webhook %s: %s", userId, endpointId, e);
                                return null;
                            });
                });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private <T> Uni<T> bounded(Uni<T> call) {
        return StoreFailures.bounded(call, settings.dbTimeout(), SettingsService.STORE);
    }
}
