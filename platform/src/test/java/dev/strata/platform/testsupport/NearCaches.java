package dev.strata.platform.testsupport;

import dev.strata.platform.security.SessionIdentityProvider;
import dev.strata.platform.security.SessionNearCache;
import dev.strata.platform.security.SessionNearCacheConfig;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokenRequest;
import dev.strata.platform.security.SessionTokens;
import dev.strata.platform.security.SessionVerifier;

import java.time.Duration;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.Vertx;

/**
 * A second, independent near-cache and identity provider against the same Redis: what another service or replica
 * runs. Its store has no near-cache of its own to keep in step, so it learns of changes only from the events.
 */
public final class NearCaches {

    public record Config(boolean enabled, Duration ttl, int maxSize, Duration touchInterval, Duration pingInterval,
            Duration healthTimeout) implements SessionNearCacheConfig {
    }

    public record Replica(SessionNearCache cache, SessionIdentityProvider provider) implements AutoCloseable {

        /** The identity this replica resolves for {@code token} (fails like a request would). */
        public SecurityIdentity authenticate(String token) {
            return provider.authenticate(new SessionTokenRequest(token), null).await().atMost(Duration.ofSeconds(10));
        }

        public boolean cached(String token) {
            return cache.get(SessionTokens.hash(token)) != null;
        }

        @Override
        public void close() {
            cache.stop();
        }
    }

    private NearCaches() {
    }

    public static Config config(Duration ttl) {
        return new Config(true, ttl, 1000, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(500));
    }

    /** Starts a replica and waits (bounded) until its invalidation feed is confirmed. */
    public static Replica replica(ReactiveRedisDataSource redis, ObjectMapper json, Vertx vertx,
            SessionVerifier verifier, Config config) {
        SessionNearCache cache = new SessionNearCache(redis, json, vertx, config);
        cache.start();
        await(cache::healthy, Duration.ofSeconds(10), "the replica's near-cache never became healthy");
        return new Replica(cache, new SessionIdentityProvider(new SessionStore(redis, json), verifier, cache,
                Duration.ofSeconds(2)));
    }

    /** Polls {@code condition} until it holds; returns the time it took. Fails at the deadline. */
    public static Duration await(Supplier<Boolean> condition, Duration deadline, String failure) {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        while (true) {
            if (Boolean.TRUE.equals(condition.get())) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(failure + " (after " + deadline.toMillis() + " ms)");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
