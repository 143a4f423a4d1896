package dev.strata.kyc.service;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.strata.kyc.config.KycConfig;
import dev.strata.kyc.rest.Views;
import dev.strata.platform.redis.RedisScript;

/**
 * Cache-aside for a user's KYC status ({@code kyc:user:<userId>:status}). Writers invalidate strictly after their
 * commit by bumping a generation counter and deleting the value in one script; a reader fills the cache only if
 * the generation it saw before reading the database is still current. So a reader that read the old row before a
 * commit can never put that old status back after the invalidation (the race of the seed's example). Redis trouble
 * never fails a read: the database answers.
 */
@ApplicationScoped
public class StatusCache {

    private static final Logger LOG = Logger.getLogger(StatusCache.class);

    // hit: {1, value}; miss: {0, generation}
    private static final RedisScript READ = new RedisScript("""
            local v = redis.call('GET', KEYS[1])
            if v then return {1, v} end
            return {0, redis.call('GET', KEYS[2]) or '0'}
            """);
    private static final RedisScript FILL = new RedisScript("""
            if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
              return 1
            end
            return 0
            """);
    private static final RedisScript INVALIDATE = new RedisScript("""
            redis.call('INCR', KEYS[2])
            redis.call('EXPIRE', KEYS[2], ARGV[1])
            redis.call('DEL', KEYS[1])
            return 1
            """);
    // longer than any read-then-fill can take, so an expired generation cannot be mistaken for an unchanged one
    private static final String GENERATION_TTL = Long.toString(Duration.ofDays(1).toSeconds());

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper json;
    private final Duration timeout;
    private final String ttl;

    public StatusCache(ReactiveRedisDataSource redis, ObjectMapper json, KycConfig config) {
        this.redis = redis;
        this.json = json;
        this.timeout = config.cache().redisTimeout();
        this.ttl = Long.toString(Math.max(1, config.cache().statusTtl().toSeconds()));
    }

    static String key(String userId) {
        return "kyc:user:" + userId + ":status";
    }

    static String generationKey(String userId) {
        return key(userId) + ":gen";
    }

    public Uni<Views.StatusView> get(String userId, Supplier<Uni<Views.StatusView>> load) {
        List<String> keys = List.of(key(userId), generationKey(userId));
        return bounded(READ.run(redis, keys))
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("status cache read failed, reading the database: %s", e.toString());
                    return null;
                })
                .chain(r -> {
                    if (r != null && r.get(0).toInteger() == 1) {
                        Views.StatusView cached = decode(r.get(1).toString());
                        if (cached != null) {
                            return Uni.createFrom().item(cached);
                        }
                    }
                    String generation = r == null ? null : r.get(1).toString();
                    return load.get().call(v -> generation == null ? Uni.createFrom().voidItem() : fill(keys, generation, v));
                });
    }

    /** Call after the commit that changed the user's status, never inside the transaction. */
    public Uni<Void> invalidate(String userId) {
        return bounded(INVALIDATE.run(redis, List.of(key(userId), generationKey(userId)), GENERATION_TTL))
                .onFailure().invoke(e -> LOG.warnf("could not invalidate the KYC status of %s (stale for at most %s s): %s",
                        userId, ttl, e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> fill(List<String> keys, String generation, Views.StatusView v) {
        String value;
        try {
            value = json.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().voidItem();
        }
        return bounded(FILL.run(redis, keys, generation, value, ttl)).onFailure().recoverWithNull().replaceWithVoid();
    }

    private Views.StatusView decode(String value) {
        try {
            return json.readValue(value, Views.StatusView.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private Uni<Response> bounded(Uni<Response> call) {
        return call.ifNoItem().after(timeout).failWith(TimeoutException::new);
    }
}
