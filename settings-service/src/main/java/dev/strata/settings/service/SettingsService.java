package dev.strata.settings.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.problem.Problem;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.settings.config.SettingsConfig;
import dev.strata.settings.domain.NotificationSetting;
import dev.strata.settings.domain.Notifications;
import dev.strata.settings.domain.SettingsValue;
import dev.strata.settings.domain.UserSettings;
import dev.strata.settings.repository.NotificationSettingsRepository;
import dev.strata.settings.repository.UserSettingsRepository;

/**
 * User settings, written through to the cache after each commit. Writers take the row lock, so versions are
 * strictly increasing; the cache's version guard makes the last committed write the one Redis keeps.
 */
@ApplicationScoped
public class SettingsService {

    private static final Logger LOG = Logger.getLogger(SettingsService.class);
    public static final String UPDATED_CHANNEL = "strata.settings.updated";
    /** How store failures name this service's database in a 503 problem. */
    static final String STORE = "The settings store";

    private final UserSettingsRepository settings;
    private final NotificationSettingsRepository notifications;
    private final CurrencyCatalog currencies;
    private final EventBus events;
    private final SettingsConfig config;
    private final SettingsCache cache;

    public SettingsService(UserSettingsRepository settings, NotificationSettingsRepository notifications,
            CurrencyCatalog currencies, EventBus events, SettingsConfig config, ReactiveRedisDataSource redis,
            ObjectMapper json) {
        this.settings = settings;
        this.notifications = notifications;
        this.currencies = currencies;
        this.events = events;
        this.config = config;
        this.cache = new SettingsCache(redis, json, config.cache().redisTtl(), config.cache().localTtl(),
                config.cache().localMaxEntries(), config.redisTimeout());
    }

    void onStart(@Observes StartupEvent e) {
        // every replica drops its own copy when any replica commits a change
        events.subscribe(UPDATED_CHANNEL, (channel, envelope) -> {
            try {
                cache.forget(UUID.fromString(envelope.subject()));
            } catch (IllegalArgumentException | NullPointerException x) {
                LOG.warnf("settings event without a user id on %s", channel);
            }
        }).subscribe().with(s -> {
        }, x -> LOG.errorf("cannot subscribe to settings invalidations: %s", x.toString()));
    }

    public SettingsCache cache() {
        return cache;
    }

    public SettingsValue defaults() {
        SettingsConfig.Defaults d = config.defaults();
        return new SettingsValue(d.locale(), d.timezone(), d.currency(), d.theme(), 0);
    }

    public Uni<SettingsValue> get(UUID userId) {
        return cache.get(userId, () -> read(() -> settings.findById(userId)
                .map(row -> row == null ? defaults() : SettingsValue.of(row))));
    }

    /** Replaces every setting; {@code expected} is the version the client read (If-Match). */
    public Uni<SettingsValue> replace(UUID userId, long expected, SettingsValue wanted) {
        SettingsRules.require(SettingsRules.check(wanted.locale(), wanted.timezone(), wanted.currency(),
                wanted.theme(), currencies));
        SettingsValue next = SettingsRules.canonical(wanted);
        return write(userId, expected, current -> next);
    }

    /** RFC 7396 merge patch: a member set to null goes back to its default; {@code expected} may be null. */
    public Uni<SettingsValue> patch(UUID userId, Long expected, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_BODY, null,
                    "A merge patch of the settings is a JSON object", null, null, null);
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!List.of("locale", "timezone", "currency", "theme").contains(f.getKey())) {
                errors.add(new Problem.FieldError(f.getKey(), "unknown field"));
            } else if (!f.getValue().isNull() && !f.getValue().isTextual()) {
                errors.add(new Problem.FieldError(f.getKey(), "must be a string or null"));
            } else {
                fields.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().textValue());
            }
        }
        SettingsRules.require(errors);
        SettingsRules.require(SettingsRules.check(fields.get("locale"), fields.get("timezone"),
                fields.get("currency"), fields.get("theme"), currencies));
        SettingsValue d = defaults();
        return write(userId, expected, current -> SettingsRules.canonical(new SettingsValue(
                pick(fields, "locale", current.locale(), d.locale()),
                pick(fields, "timezone", current.timezone(), d.timezone()),
                pick(fields, "currency", current.currency(), d.currency()),
                pick(fields, "theme", current.theme(), d.theme()), current.version())));
    }

    private static String pick(Map<String, String> patch, String field, String current, String fallback) {
        if (!patch.containsKey(field)) {
            return current;
        }
        String v = patch.get(field);
        return v == null ? fallback : v;
    }

    private Uni<SettingsValue> write(UUID userId, Long expected, java.util.function.UnaryOperator<SettingsValue> change) {
        SettingsValue d = defaults();
        // the Redis entry goes first: if the write-through after the commit fails, readers miss and read Postgres
        return cache.evict(userId)
                .onFailure().transform(e -> ProblemException.dependencyDown("The settings cache", e))
                .chain(() -> StoreFailures.bounded(Panache.withTransaction(() -> settings.ensure(userId, d.locale(),
                        d.timezone(), d.currency(), d.theme()).chain(() -> settings.forUpdate(userId)).map(row -> {
                            if (expected != null && row.version != expected) {
                                throw new ProblemException(ProblemType.PRECONDITION_FAILED, null,
                                        "The settings changed since version " + expected + "; read them again",
                                        null, java.util.Map.of("ETag", etag(row.version)), null);
                            }
                            SettingsValue next = change.apply(SettingsValue.of(row));
                            if (!same(next, row)) {
                                row.locale = next.locale();
                                row.timezone = next.timezone();
                                row.currency = next.currency();
                                row.theme = next.theme();
                                row.version = row.version + 1;
                                row.updatedAt = Instant.now();
                            }
                            return SettingsValue.of(row);
                        })), config.dbTimeout(), STORE))
                .call(v -> afterCommit(userId, v));
    }

    private static boolean same(SettingsValue v, UserSettings row) {
        return v.locale().equals(row.locale) && v.timezone().equals(row.timezone) && v.currency().equals(row.currency)
                && v.theme().equals(row.theme);
    }

    /** Write-through and invalidation are best effort: the entry was evicted before the commit. */
    private Uni<Void> afterCommit(UUID userId, SettingsValue v) {
        return cache.putIfNewer(userId, v).onFailure().invoke(e -> LOG.warnf(
                "settings of %s committed (version %d) but not written to Redis: %s", userId, v.version(), e))
                .onFailure().recoverWithNull()
                .chain(() -> events.publish(UPDATED_CHANNEL, EventEnvelope.of("settings.updated", userId.toString(),
                        Map.of("userId", userId.toString(), "version", v.version()))))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    // --- notification preferences ----------------------------------------------------------------------------

    public Uni<Map<String, Map<String, Boolean>>> notifications(UUID userId) {
        return read(() -> notifications.ofUser(userId)).map(Notifications::matrix);
    }

    /** Replaces the whole matrix; only choices that differ from the defaults are stored. */
    public Uni<Map<String, Map<String, Boolean>>> replaceNotifications(UUID userId,
            Map<String, Map<String, Boolean>> wanted) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (wanted == null) {
            errors.add(new Problem.FieldError("channels", "is required"));
        } else {
            for (String ch : wanted.keySet()) {
                if (!Notifications.CHANNELS.contains(ch)) {
                    errors.add(new Problem.FieldError("channels." + ch, "unknown channel"));
                }
            }
            for (String ch : Notifications.CHANNELS) {
                Map<String, Boolean> cats = wanted.get(ch);
                if (cats == null) {
                    errors.add(new Problem.FieldError("channels." + ch, "is required"));
                    continue;
                }
                for (String cat : cats.keySet()) {
                    if (!Notifications.CATEGORIES.contains(cat)) {
                        errors.add(new Problem.FieldError("channels." + ch + "." + cat, "unknown category"));
                    }
                }
                for (String cat : Notifications.CATEGORIES) {
                    if (cats.get(cat) == null) {
                        errors.add(new Problem.FieldError("channels." + ch + "." + cat, "must be true or false"));
                    }
                }
            }
        }
        SettingsRules.require(errors);
        Instant now = Instant.now();
        return StoreFailures.bounded(Panache.withTransaction(() -> notifications.deleteOfUser(userId).chain(() -> {
            List<NotificationSetting> rows = new ArrayList<>();
            for (String ch : Notifications.CHANNELS) {
                for (String cat : Notifications.CATEGORIES) {
                    boolean on = wanted.get(ch).get(cat);
                    if (on != Notifications.byDefault(ch, cat)) {
                        NotificationSetting r = new NotificationSetting();
                        r.userId = userId;
                        r.channel = ch;
                        r.category = cat;
                        r.enabled = on;
                        r.updatedAt = now;
                        rows.add(r);
                    }
                }
            }
            return notifications.persist(rows).replaceWith(rows);
        })), config.dbTimeout(), STORE).map(Notifications::matrix);
    }

    private <T> Uni<T> read(Supplier<Uni<T>> work) {
        return StoreFailures.bounded(Uni.createFrom().<T>deferred(work::get), config.dbTimeout(), STORE);
    }
}
