package dev.strata.rates.service;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.redis.RedisScript;

/**
 * A Redis mutex across replicas: {@code SET key token NX PX ttl}, released only by its owner (compare-and-delete
 * in one Lua script), so a holder whose lock expired cannot free a lock someone else took since.
 */
@ApplicationScoped
public class RedisLock {

    private static final RedisScript RELEASE = new RedisScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""");

    private final ReactiveRedisDataSource redis;

    public RedisLock(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    /** @return the owner token when acquired, null when someone else holds the lock */
    public Uni<String> tryAcquire(String key, Duration ttl) {
        String token = UUID.randomUUID().toString();
        // raw SET: the typed API does not report whether NX applied (OK vs nil)
        return redis.execute("SET", key, token, "NX", "PX", Long.toString(ttl.toMillis()))
                .map(r -> r != null && "OK".equals(r.toString()) ? token : null);
    }

    public Uni<Boolean> release(String key, String token) {
        return RELEASE.run(redis, List.of(key), token).map(r -> r != null && r.toInteger() == 1);
    }
}
