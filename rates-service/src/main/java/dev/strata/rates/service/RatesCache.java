package dev.strata.rates.service;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;

import dev.strata.rates.config.RatesConfig;

/**
 * Cache-aside in two layers: a small in-process L1 (Caffeine) in front of Redis ({@code rates:rate:<BASE>:<QUOTE>},
 * {@code rates:list:<BASE>}, TTL 300 s + jitter). Misses are single-flight per key and replica: concurrent misses
 * share one Redis read and at most one database query. Every Redis key written is tracked in the set
 * {@value #TRACKED} so a refresh can drop them by exact key (never KEYS/SCAN). Redis trouble degrades to the
 * database, never to an error; a database failure falls back to the last value this replica loaded for the key
 * (its {@code stale} flag still tells whether it is past its expiry).
 */
@ApplicationScoped
public class RatesCache {

    public static final String TRACKED = "rates:cache:keys";
    private static final Logger LOG = Logger.getLogger(RatesCache.class);

    private final Cache<String, Object> l1;
    /** The last value loaded per key, kept across invalidations: served when Redis and the database both fail. */
    private final Cache<String, Object> lastGood;
    private final ConcurrentHashMap<String, Uni<Object>> inflight = new ConcurrentHashMap<>();
    /** Bumped on invalidation: a load that began before it must not repopulate the caches with old data. */
    private final AtomicLong generation = new AtomicLong();
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSetCommands<String, String> sets;
    private final ReactiveKeyCommands<String> keys;
    private final ObjectMapper json;
    private final RatesConfig.Cache config;
    private final Counter l1Hits;
    private final Counter l1Misses;
    private final Counter redisHits;
    private final Counter redisMisses;
    private final Counter redisErrors;
    private final Counter fallbacks;

    public RatesCache(ReactiveRedisDataSource redis, ObjectMapper json, RatesConfig config, MeterRegistry registry) {
        this.values = redis.value(String.class, String.class);
        this.sets = redis.set(String.class, String.class);
        this.keys = redis.key(String.class);
        this.json = json;
        this.config = config.cache();
        this.l1 = Caffeine.newBuilder().maximumSize(this.config.l1MaxSize())
                .expireAfterWrite(this.config.l1Ttl()).build();
        this.lastGood = Caffeine.newBuilder().maximumSize(this.config.l1MaxSize()).build();
        this.l1Hits = counter(registry, "l1", "hit");
        this.l1Misses = counter(registry, "l1", "miss");
        this.redisHits = counter(registry, "redis", "hit");
        this.redisMisses = counter(registry, "redis", "miss");
        this.redisErrors = counter(registry, "redis", "error");
        this.fallbacks = counter(registry, "last-good", "hit");
    }

    private static Counter counter(MeterRegistry r, String layer, String result) {
        return Counter.builder("rates_cache_requests").tag("layer", layer).tag("result", result)
                .description("Rate cache lookups per layer and outcome").register(r);
    }

    public static String rateKey(String base, String quote) {
        return "rates:rate:" + base + ":" + quote;
    }

    public static String listKey(String base) {
        return "rates:list:" + base;
    }

    /**
     * The cached value of {@code key}, else what {@code loader} yields (null: nothing to cache, e.g. no rate).
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> get(String key, Class<T> type, Supplier<Uni<T>> loader) {
        Object hit = l1.getIfPresent(key);
        if (hit != null) {
            l1Hits.increment();
            return Uni.createFrom().item((T) hit);
        }
        l1Misses.increment();
        return (Uni<T>) inflight.computeIfAbsent(key, k -> {
            long gen = generation.get();
            Uni<Object> load = fromRedis(k, type)
                    .chain(cached -> cached != null ? Uni.createFrom().item(cached)
                            : ((Uni<Object>) loader.get()).call(v -> v == null ? Uni.createFrom().voidItem()
                                    : toRedis(k, v, gen)))
                    .invoke(v -> {
                        if (v != null) {
                            lastGood.put(k, v);
                            if (generation.get() == gen) {
                                l1.put(k, v);
                            }
                        }
                    })
                    .onFailure().recoverWithUni(f -> {
                        Object last = lastGood.getIfPresent(k);
                        if (last == null) {
                            return Uni.createFrom().failure(f);
                        }
                        // the database is unreachable: the last rate we had is better than an error
                        fallbacks.increment();
                        LOG.warnf("loading %s failed (%s); serving the last known value", k, f.toString());
                        return Uni.createFrom().item(last);
                    })
                    .onTermination().invoke(() -> inflight.remove(k));
            return load.memoize().indefinitely();
        });
    }

    private <T> Uni<Object> fromRedis(String key, Class<T> type) {
        return values.get(key)
                .map(s -> {
                    if (s == null) {
                        redisMisses.increment();
                        return null;
                    }
                    try {
                        Object v = json.readValue(s, type);
                        redisHits.increment();
                        return v;
                    } catch (Exception e) {
                        LOG.warnf("unreadable cache entry %s, reloading", key);
                        redisMisses.increment();
                        return null;
                    }
                })
                .onFailure().recoverWithItem(f -> {
                    redisErrors.increment();
                    LOG.warnf("Redis read of %s failed (%s), reading the database", key, f.toString());
                    return null;
                });
    }

    private Uni<Void> toRedis(String key, Object value, long gen) {
        if (generation.get() != gen) {
            return Uni.createFrom().voidItem();
        }
        String payload;
        try {
            payload = json.writeValueAsString(value);
        } catch (Exception e) {
            return Uni.createFrom().voidItem();
        }
        long ttl = config.redisTtl().toMillis()
                + ThreadLocalRandom.current().nextLong(Math.max(1, config.redisJitter().toMillis()));
        // tracked first: a key that exists is always findable by invalidateAll
        return sets.sadd(TRACKED, key)
                .chain(() -> values.psetex(key, ttl, payload))
                .replaceWithVoid()
                .onFailure().recoverWithItem(f -> {
                    redisErrors.increment();
                    LOG.warnf("Redis write of %s failed (%s)", key, f.toString());
                    return null;
                });
    }

    /** Drops this replica's L1 (on strata.rates.updated). */
    public void clearLocal() {
        generation.incrementAndGet();
        l1.invalidateAll();
    }

    /** Drops every cached rate: the L1 here, and every tracked Redis key. */
    public Uni<Void> invalidateAll() {
        clearLocal();
        return sets.smembers(TRACKED)
                .chain(members -> {
                    List<String> all = new java.util.ArrayList<>(members);
                    all.add(TRACKED);
                    return keys.del(all.toArray(String[]::new));
                })
                .invoke(this::clearLocal)
                .replaceWithVoid();
    }
}
