package dev.strata.settings.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.problem.StoreFailures;
import dev.strata.settings.config.EmailConfig;
import dev.strata.settings.config.SettingsConfig;

/**
 * Sends what {@link EmailChannel} queued in {@code settings.email_outbox}: every {@code poll-interval} and when
 * poked, claims up to {@code batch-size} due rows ({@code FOR UPDATE SKIP LOCKED}, then leased by moving
 * {@code next_attempt_at} past the send deadline, so no other replica takes them while this one sends), looks the
 * address up at auth-service, renders the message in the user's language and hands it to the SMTP server.
 * <ul>
 * <li>no such user, no address, address not verified: {@code skipped} (with the reason in {@code last_error});</li>
 * <li>auth-service or SMTP failing: retried after an exponential backoff with jitter, {@code failed} after
 * {@code max-attempts};</li>
 * <li>a replica dying mid-send: the lease runs out and another replica sends it (at least once).</li>
 * </ul>
 */
@ApplicationScoped
public class EmailSender {

    private static final Logger LOG = Logger.getLogger(EmailSender.class);

    /** A row this replica claimed (and leased) to send. */
    public record Claimed(UUID id, UUID userId, String type, Map<String, Object> data, Instant occurredAt, int attempts) {
    }

    private enum Outcome {
        SENT, RETRY, FAILED, SKIPPED
    }

    private final Pool pool;
    private final Vertx vertx;
    private final SettingsConfig settings;
    private final EmailConfig.Sender config;
    private final AuthDirectory auth;
    private final EmailTemplates templates;
    private final ReactiveMailer mailer;
    private final MeterRegistry meters;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean stopped = true;
    private volatile long timer = -1;

    public EmailSender(Pool pool, Vertx vertx, SettingsConfig settings, EmailConfig config, AuthDirectory auth,
            EmailTemplates templates, ReactiveMailer mailer, MeterRegistry meters) {
        this.pool = pool;
        this.vertx = vertx;
        this.settings = settings;
        this.config = config.sender();
        this.auth = auth;
        this.templates = templates;
        this.mailer = mailer;
        this.meters = meters;
        for (Outcome o : Outcome.values()) {
            counter(o);
        }
    }

    void onStart(@Observes StartupEvent e) {
        if (config.enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent e) {
        stop();
    }

    public synchronized void start() {
        if (!stopped) {
            return;
        }
        stopped = false;
        timer = vertx.setPeriodic(Math.max(10, config.pollInterval().toMillis()), id -> poke());
        poke();
    }

    public synchronized void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** True while a round is under way on this replica. */
    public boolean busy() {
        return running.get();
    }

    /** Looks at the outbox now (or right after the round under way). */
    public void poke() {
        if (stopped) {
            return;
        }
        again.set(true);
        if (!running.compareAndSet(false, true)) {
            return;
        }
        again.set(false);
        round().subscribe().with(full -> finish(full), x -> {
            LOG.warnf("e-mail sender round failed: %s", x.toString());
            finish(false);
        });
    }

    private void finish(boolean full) {
        running.set(false);
        if (full || again.get()) {
            poke();
        }
    }

    /** One round: claims due rows and sends them one after another; true when the batch was full. */
    Uni<Boolean> round() {
        return claim().chain(rows -> Multi.createFrom().iterable(rows).onItem()
                .transformToUniAndConcatenate(this::deliver).collect().asList()
                .map(done -> rows.size() >= config.batchSize()));
    }

    private Duration lease() {
        return config.sendTimeout().multipliedBy(2).plus(settings.auth().timeout()).plusSeconds(30);
    }

    /** Claims (and leases) up to {@code batch-size} due rows no other replica holds. */
    public Uni<List<Claimed>> claim() {
        String sql = "update settings.email_outbox set attempts = attempts + 1,"
                + " next_attempt_at = now() + make_interval(secs => $2)"
                + " where id in (select id from settings.email_outbox where status = 'pending' and next_attempt_at <= now()"
                + " order by next_attempt_at limit $1 for update skip locked)"
                + " returning id, user_id, event_type, data::text, occurred_at, attempts";
        return db(pool.preparedQuery(sql).execute(Tuple.of(config.batchSize(), (double) lease().toSeconds())))
                .map(rows -> {
                    List<Claimed> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Claimed(r.getUUID(0), r.getUUID(1), r.getString(2),
                                new JsonObject(r.getString(3)).getMap(), r.getOffsetDateTime(4).toInstant(),
                                r.getInteger(5)));
                    }
                    return out;
                });
    }

    /** Sends one claimed row and records the outcome; never fails (a failure is recorded as a retry). */
    Uni<Void> deliver(Claimed row) {
        if (row.attempts() > config.maxAttempts()) {
            // earlier attempts ended without an outcome recorded (store trouble, a replica gone): give up now
            return retry(row, "no outcome recorded for " + (row.attempts() - 1) + " attempts")
                    .onFailure().recoverWithItem(x -> null);
        }
        if (row.type() != null && row.type().startsWith("accounts.")) {
            auth.forget(row.userId()); // the address may just have changed
        }
        return auth.user(row.userId()).onFailure().recoverWithUni(x -> retry(row, "auth-service: " + x.getMessage())
                .map(v -> (Optional<AuthDirectory.User>) null))
                .chain(user -> {
                    if (user == null) {
                        return Uni.createFrom().voidItem(); // recorded as a retry above
                    }
                    if (user.isEmpty()) {
                        return skip(row, "no such user");
                    }
                    AuthDirectory.User u = user.get();
                    if (u.email() == null || u.email().isBlank()) {
                        return skip(row, "no e-mail address");
                    }
                    if (!u.emailVerified()) {
                        return skip(row, "e-mail address not verified");
                    }
                    return locale(row.userId()).chain(locale -> {
                        EmailTemplates.Message m;
                        try {
                            m = templates.render(row.type(), row.data(), row.occurredAt(), locale);
                        } catch (RuntimeException x) {
                            LOG.errorf(x, "e-mail %s (%s): rendering failed", row.id(), row.type());
                            return retry(row, "rendering: " + x.getMessage());
                        }
                        Mail mail = Mail.withText(u.email(), m.subject(), m.text()).setHtml(m.html())
                                .addHeader("Content-Language", m.language())
                                .addHeader("X-Strata-Event", row.type());
                        return mailer.send(mail).ifNoItem().after(config.sendTimeout()).failWith(TimeoutException::new)
                                .onItemOrFailure().transformToUni((ok, x) -> x == null ? sent(row)
                                        : retry(row, "smtp: " + x));
                    });
                })
                .onFailure().recoverWithUni(x -> {
                    // the store failed recording an outcome (or rendering broke): the lease runs out, it is retried
                    LOG.warnf("e-mail %s: %s", row.id(), x.toString());
                    return Uni.createFrom().voidItem();
                });
    }

    Uni<String> locale(UUID userId) {
        return db(pool.preparedQuery("select locale from settings.user_settings where user_id = $1")
                .execute(Tuple.of(userId))).map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0)
                        : settings.defaults().locale());
    }

    private Uni<Void> sent(Claimed row) {
        return db(pool.preparedQuery("update settings.email_outbox set status = 'sent', sent_at = now(),"
                + " last_error = null where id = $1").execute(Tuple.of(row.id())))
                .invoke(() -> counter(Outcome.SENT).increment()).replaceWithVoid();
    }

    private Uni<Void> skip(Claimed row, String reason) {
        return db(pool.preparedQuery("update settings.email_outbox set status = 'skipped', last_error = $2"
                + " where id = $1").execute(Tuple.of(row.id(), reason)))
                .invoke(() -> counter(Outcome.SKIPPED).increment()).replaceWithVoid();
    }

    private Uni<Void> retry(Claimed row, String error) {
        String reason = error.length() > 500 ? error.substring(0, 500) : error;
        if (row.attempts() >= config.maxAttempts()) {
            LOG.warnf("e-mail %s (%s) failed after %d attempts: %s", row.id(), row.type(), row.attempts(), reason);
            return db(pool.preparedQuery("update settings.email_outbox set status = 'failed', last_error = $2"
                    + " where id = $1").execute(Tuple.of(row.id(), reason)))
                    .invoke(() -> counter(Outcome.FAILED).increment()).replaceWithVoid();
        }
        Duration delay = backoff(row.attempts());
        LOG.debugf("e-mail %s attempt %d failed (%s), next in %s", row.id(), row.attempts(), reason, delay);
        return db(pool.preparedQuery("update settings.email_outbox set last_error = $2,"
                + " next_attempt_at = now() + make_interval(secs => $3) where id = $1")
                .execute(Tuple.of(row.id(), reason, delay.toMillis() / 1000.0)))
                .invoke(() -> counter(Outcome.RETRY).increment()).replaceWithVoid();
    }

    /** base × 2^(attempt−1), capped, of which a random half is taken off ("equal jitter"). */
    Duration backoff(int attempt) {
        long base = Math.max(1, config.backoffBase().toMillis());
        long cap = Math.max(base, config.backoffCap().toMillis());
        long d = attempt >= 40 ? cap : Math.min(cap, base << Math.max(0, attempt - 1));
        if (d < 0) {
            d = cap;
        }
        long half = d / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    private io.micrometer.core.instrument.Counter counter(Outcome o) {
        return meters.counter("strata.notifications.emails", "outcome", o.name().toLowerCase(java.util.Locale.ROOT));
    }

    private <T> Uni<T> db(Uni<T> call) {
        return StoreFailures.bounded(call, settings.dbTimeout(), SettingsService.STORE);
    }
}
