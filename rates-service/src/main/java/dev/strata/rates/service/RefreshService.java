package dev.strata.rates.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.rates.config.RatesConfig;
import dev.strata.rates.domain.Currency;
import dev.strata.rates.domain.RateSnapshot;
import dev.strata.rates.domain.StoredRate;
import dev.strata.rates.provider.FeedException;
import dev.strata.rates.provider.RateProvider;
import dev.strata.rates.repository.CurrencyRepository;
import dev.strata.rates.repository.RatesRepository;

/**
 * Write side: provider refreshes and manual overrides. One refresher at a time across replicas (Redis lock
 * {@value #LOCK}); after a successful fetch a provider is not due again ({@code rates:refresh:due:<provider>})
 * until the refresh interval has passed or, later, its announced next update. A write commits latest + history
 * in one transaction, then drops the caches and publishes {@code strata.rates.updated}.
 */
@ApplicationScoped
public class RefreshService {

    public static final String LOCK = "rates:refresh:lock";
    public static final String MANUAL = "manual";
    public static final String REFRESH_IN_PROGRESS = "https://strata.dev/problems/rates/refresh-in-progress";
    private static final Logger LOG = Logger.getLogger(RefreshService.class);

    private final List<RateProvider> providers;
    private final RatesRepository repository;
    private final CurrencyRepository currencies;
    private final RatesCache cache;
    private final RedisLock lock;
    private final EventBus events;
    private final RatesConfig config;
    private final ReactiveKeyCommands<String> keys;
    private final ReactiveValueCommands<String, String> values;
    private final MeterRegistry registry;
    private final Map<String, Instant> newestEffective = new ConcurrentHashMap<>();

    public RefreshService(Instance<RateProvider> providers, RatesRepository repository, CurrencyRepository currencies,
            RatesCache cache, RedisLock lock, EventBus events, RatesConfig config, ReactiveRedisDataSource redis,
            MeterRegistry registry) {
        this.providers = providers.stream().toList();
        this.repository = repository;
        this.currencies = currencies;
        this.cache = cache;
        this.lock = lock;
        this.events = events;
        this.config = config;
        this.keys = redis.key(String.class);
        this.values = redis.value(String.class, String.class);
        this.registry = registry;
        for (RateProvider p : this.providers) {
            Gauge.builder("rates_age_seconds", newestEffective, m -> {
                Instant t = m.get(p.name());
                return t == null ? Double.NaN : Duration.between(t, Instant.now()).toSeconds();
            }).tag("provider", p.name()).description("Age of the newest publication stored from a provider")
                    .register(registry);
        }
    }

    /**
     * Re-reads the age of the stored data per provider, so replicas that did not run the refresh themselves
     * still report it.
     */
    public Uni<Void> updateAgeGauge() {
        return repository.newestByProvider().invoke(m -> newestEffective.putAll(m)).replaceWithVoid();
    }

    public static String dueKey(String provider) {
        return "rates:refresh:due:" + provider;
    }

    public record ProviderOutcome(String provider, String status, String detail, Integer rates, Instant effectiveAt,
            Instant nextUpdate) {
    }

    /** What a refresh did. {@code ran} is false when another replica held the lock or nothing was due. */
    public record RefreshReport(boolean ran, List<ProviderOutcome> providers, int written) {
    }

    /** The background tick: fetches only the providers that are due, and only if no one else is refreshing. */
    public Uni<RefreshReport> scheduled() {
        return dueProviders().chain(due -> {
            if (due.isEmpty()) {
                return Uni.createFrom().item(new RefreshReport(false, List.of(), 0));
            }
            return lock.tryAcquire(LOCK, config.refresh().lockTtl()).chain(token -> {
                if (token == null) {
                    count("all", "skipped");
                    return Uni.createFrom().item(new RefreshReport(false, List.of(), 0));
                }
                // re-checked under the lock: another replica may have finished just before we took it
                return dueProviders().chain(stillDue -> run(stillDue, RatesRepository.TRIGGER_SCHEDULED, null))
                        .eventually(() -> lock.release(LOCK, token));
            });
        });
    }

    /** An admin's refresh: every enabled provider, now; 409 while another refresh runs. */
    public Uni<RefreshReport> forced(String actor) {
        return lock.tryAcquire(LOCK, config.refresh().lockTtl()).chain(token -> {
            if (token == null) {
                return Uni.createFrom().failure(new ProblemException(ProblemType.CONFLICT, REFRESH_IN_PROGRESS,
                        "A refresh is already running; try again shortly", null, Map.of(), null));
            }
            return run(enabled(), RatesRepository.TRIGGER_MANUAL, actor).eventually(() -> lock.release(LOCK, token));
        });
    }

    /** A manual rate for one pair, audited in history with provider {@value #MANUAL}. */
    public Uni<StoredRate> override(String base, String quote, BigDecimal rate, Duration validity, String actor) {
        Instant now = Instant.now();
        StoredRate r = new StoredRate(base, quote, rate, MANUAL, now, now, now.plus(validity));
        return repository.write(List.of(r), RatesRepository.TRIGGER_MANUAL, actor)
                .call(() -> afterWrite(List.of(MANUAL), 1, RatesRepository.TRIGGER_MANUAL))
                .replaceWith(r);
    }

    private List<RateProvider> enabled() {
        return providers.stream().filter(RateProvider::enabled).toList();
    }

    private Uni<List<RateProvider>> dueProviders() {
        List<RateProvider> candidates = enabled();
        if (candidates.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Uni<Boolean>> checks = candidates.stream().map(p -> keys.exists(dueKey(p.name()))
                .map(notDue -> !notDue)).toList();
        return Uni.join().all(checks).andFailFast().map(flags -> {
            List<RateProvider> due = new ArrayList<>();
            for (int i = 0; i < flags.size(); i++) {
                if (flags.get(i)) {
                    due.add(candidates.get(i));
                }
            }
            return due;
        });
    }

    private record Fetched(RateProvider provider, RateSnapshot snapshot, FeedException failure) {
    }

    private Uni<RefreshReport> run(List<RateProvider> due, String trigger, String actor) {
        if (due.isEmpty()) {
            return Uni.createFrom().item(new RefreshReport(false, List.of(), 0));
        }
        List<Uni<Fetched>> fetches = due.stream().map(p -> p.fetch()
                .map(s -> new Fetched(p, s, null))
                .onFailure().recoverWithItem(f -> new Fetched(p, null, f instanceof FeedException fe ? fe
                        : new FeedException("error", String.valueOf(f.getMessage()), f))))
                .toList();
        return Uni.join().all(fetches).andFailFast()
                .chain(results -> currencies.all().chain(known -> write(results, known, trigger, actor)));
    }

    private Uni<RefreshReport> write(List<Fetched> results, Map<String, Currency> known, String trigger,
            String actor) {
        Instant now = Instant.now();
        List<StoredRate> rows = new ArrayList<>();
        Map<String, ProviderOutcome> outcomes = new LinkedHashMap<>();
        List<Fetched> ok = new ArrayList<>();
        for (Fetched f : results) {
            String name = f.provider().name();
            if (f.failure() != null) {
                LOG.warnf("provider %s failed (%s): %s; its rates are left as they are", name, f.failure().reason(),
                        f.failure().getMessage());
                registry.counter("rates_provider_failures", "provider", name, "reason", f.failure().reason())
                        .increment();
                count(name, "failure");
                outcomes.put(name, new ProviderOutcome(name, "failed", f.failure().reason(), null, null, null));
                continue;
            }
            RateSnapshot s = f.snapshot();
            if (!known.containsKey(s.base())) {
                count(name, "failure");
                outcomes.put(name, new ProviderOutcome(name, "failed", "unknown base " + s.base(), null, null, null));
                continue;
            }
            Instant expires = now.plus(config.staleAfter());
            if (s.nextUpdate() != null && s.nextUpdate().isAfter(expires)) {
                expires = s.nextUpdate(); // still the provider's current publication until then
            }
            int n = 0;
            for (Map.Entry<String, BigDecimal> e : s.rates().entrySet()) {
                if (known.containsKey(e.getKey())) {
                    rows.add(new StoredRate(s.base(), e.getKey(), e.getValue(), name, s.effectiveAt(), now, expires));
                    n++;
                }
            }
            ok.add(f);
            outcomes.put(name, new ProviderOutcome(name, "ok", null, n, s.effectiveAt(), s.nextUpdate()));
        }
        if (ok.isEmpty()) {
            return Uni.createFrom().item(new RefreshReport(true, List.copyOf(outcomes.values()), 0));
        }
        List<String> names = ok.stream().map(f -> f.provider().name()).toList();
        return repository.write(rows, trigger, actor)
                .onFailure().invoke(e -> {
                    LOG.errorf(e, "writing refreshed rates failed; nothing was changed");
                    names.forEach(n -> count(n, "failure"));
                })
                .call(() -> markFetched(ok))
                .invoke(() -> ok.forEach(f -> {
                    count(f.provider().name(), "success");
                    newestEffective.merge(f.provider().name(), f.snapshot().effectiveAt(),
                            (a, b) -> a.isAfter(b) ? a : b);
                }))
                .call(() -> afterWrite(names, rows.size(), trigger))
                .map(ignored -> new RefreshReport(true, List.copyOf(outcomes.values()), rows.size()));
    }

    /** Not due again before the interval has passed, nor before the provider's announced next update. */
    private Uni<Void> markFetched(List<Fetched> ok) {
        Duration interval = config.refresh().interval();
        List<Uni<Void>> sets = new ArrayList<>();
        for (Fetched f : ok) {
            // slightly under the interval so the next local tick finds the provider due again
            long ms = interval.toMillis() * 9 / 10;
            Instant next = f.snapshot().nextUpdate();
            if (next != null) {
                long untilNext = Duration.between(Instant.now(), next).toMillis()
                        + ThreadLocalRandom.current().nextLong(Math.max(1, config.refresh().jitter().toMillis()));
                ms = Math.max(ms, untilNext);
            }
            sets.add(values.psetex(dueKey(f.provider().name()), Math.max(1, ms), Instant.now().toString()));
        }
        return Uni.join().all(sets).andCollectFailures().replaceWithVoid()
                .onFailure().recoverWithItem(f -> {
                    LOG.warnf("could not record the next due times: %s", f.toString());
                    return null;
                });
    }

    /** Caches are dropped and the event published only after commit; failures here never undo the write. */
    private Uni<Void> afterWrite(List<String> providerNames, int pairs, String trigger) {
        return cache.invalidateAll()
                .onFailure().recoverWithItem(f -> {
                    LOG.warnf("cache invalidation failed (%s); entries expire within their TTL", f.toString());
                    return null;
                })
                .chain(() -> events.publish(EventChannels.RATES_UPDATED, EventEnvelope.of("rates.updated", "rates",
                        Map.of("providers", providerNames, "pairs", pairs, "trigger", trigger))))
                .onFailure().recoverWithItem(f -> {
                    LOG.warnf("publishing strata.rates.updated failed: %s", f.toString());
                    return null;
                });
    }

    private void count(String provider, String outcome) {
        registry.counter("rates_refresh", "provider", provider, "outcome", outcome).increment();
    }
}
