package dev.strata.settings.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import org.jboss.logging.Logger;

import dev.strata.platform.redis.RedisScript;
import dev.strata.settings.domain.SettingsValue;

/**
 * Two levels in front of Postgres: Redis {@code settings:user:<userId>} (a hash {@code v} = version, {@code d} =
 * JSON), shared by every replica and written through after each commit; and a small map in each replica whose
 * entries live under a second and are dropped at once when a {@code settings.updated} message arrives.
 * <p>
 * Every Redis write is version-guarded in one script: a writer (or a reader filling a miss) holding an older
 * version than Redis has changes nothing, so whatever order two writers' post-commit writes arrive in, Redis ends
 * with the newer value. Not a CDI bean: the service owns one, and a test can run two against one Redis.
 */
public final class SettingsCache {

    private static final Logger LOG = Logger.getLogger(SettingsCache.class);

    static final RedisScript PUT_IF_NEWER = new RedisScript("""
            local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
            if current >= tonumber(ARGV[1]) then
              return 0
            end
            redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """);

    private record Local(SettingsValue value, long expiresAtNanos) {
    }

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper json;
    private final Duration redisTtl;
    private final Duration localTtl;
    private final int localMax;
    private final Duration timeout;
    private final Map<UUID, Local> local = new ConcurrentHashMap<>();

    public SettingsCache(ReactiveRedisDataSource redis, ObjectMapper json, Duration redisTtl, Duration localTtl,
            int localMax, Duration timeout) {
        this.redis = redis;
        this.json = json;
        this.redisTtl = redisTtl;
        this.localTtl = localTtl;
        this.localMax = localMax;
        this.timeout = timeout;
    }

    public static String key(UUID userId) {
        return "settings:user:" + userId;
    }

    /** Local entry, else Redis, else {@code load} (whose result is written to Redis, version-guarded). */
    public Uni<SettingsValue> get(UUID userId, Supplier<Uni<SettingsValue>> load) {
        Local l = local.get(userId);
        if (l != null && l.expiresAtNanos() - System.nanoTime() > 0) {
            return Uni.createFrom().item(l.value());
        }
        return bounded(redis.execute("HGET", key(userId), "d")).onFailure().recoverWithNull()
                .chain(r -> {
                    SettingsValue cached = r == null ? null : read(r.toString());
                    if (cached != null) {
                        return Uni.createFrom().item(cached);
                    }
                    // a miss: Postgres, then fill Redis unless a newer version got there first
                    return load.get().call(v -> v.version() == 0 ? Uni.createFrom().voidItem()
                            : putIfNewer(userId, v).onFailure().recoverWithNull().replaceWithVoid());
                })
                .invoke(v -> remember(userId, v));
    }

    /** After a commit: Redis gets {@code v} unless it already holds a newer version; this replica forgets. */
    public Uni<Boolean> putIfNewer(UUID userId, SettingsValue v) {
        local.remove(userId);
        String data;
        try {
            data = json.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return bounded(PUT_IF_NEWER.run(redis, List.of(key(userId)), Long.toString(v.version()), data,
                Long.toString(redisTtl.toMillis()))).map(r -> r != null && r.toInteger() == 1);
    }

    /** Before a commit: the Redis entry goes, so a failed write-through after the commit leaves a miss, not a lie. */
    public Uni<Void> evict(UUID userId) {
        local.remove(userId);
        return bounded(redis.execute("DEL", key(userId))).replaceWithVoid();
    }

    /** A {@code settings.updated} message from any replica. */
    public void forget(UUID userId) {
        local.remove(userId);
    }

    private void remember(UUID userId, SettingsValue v) {
        if (local.size() >= localMax) {
            // crude but bounded: entries live under a second anyway
            local.clear();
        }
        local.put(userId, new Local(v, System.nanoTime() + localTtl.toNanos()));
    }

    private SettingsValue read(String data) {
        try {
            return json.readValue(data, SettingsValue.class);
        } catch (JsonProcessingException e) {
            LOG.warnf("unreadable settings cache entry dropped: %s", e.getOriginalMessage());
            return null;
        }
    }

    private Uni<Response> bounded(Uni<Response> call) {
        return call.ifNoItem().after(timeout).failWith(TimeoutException::new);
    }
}
