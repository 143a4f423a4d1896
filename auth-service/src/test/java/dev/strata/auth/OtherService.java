package dev.strata.auth;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.Vertx;

import dev.strata.platform.security.SessionIdentityProvider;
import dev.strata.platform.security.SessionNearCache;
import dev.strata.platform.security.SessionNearCacheConfig;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokenRequest;
import dev.strata.platform.security.SessionVerifier;

/**
 * Another service's session check, built here against the same Redis: its own near-cache trusting entries for
 * 30 s, so whatever it stops accepting within 1 s it learnt from the invalidation events, not from expiry.
 */
final class OtherService implements AutoCloseable {

    record NearCacheConfig(boolean enabled, Duration ttl, int maxSize, Duration touchInterval, Duration pingInterval,
            Duration healthTimeout) implements SessionNearCacheConfig {
    }

    final SessionNearCache cache;
    private final SessionIdentityProvider provider;

    OtherService(ReactiveRedisDataSource redis, ObjectMapper json, Vertx vertx, SessionVerifier verifier)
            throws InterruptedException {
        cache = new SessionNearCache(redis, json, vertx, new NearCacheConfig(true, Duration.ofSeconds(30), 100,
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(500)));
        cache.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cache.healthy()) {
            if (System.nanoTime() > deadline) {
                cache.stop();
                throw new AssertionError("near-cache never healthy");
            }
            Thread.sleep(5);
        }
        provider = new SessionIdentityProvider(new SessionStore(redis, json), verifier, cache, Duration.ofSeconds(2));
    }

    /** The identity the token opens there, or null when it is refused. */
    SecurityIdentity check(String token) {
        try {
            return provider.authenticate(new SessionTokenRequest(token), null).await().atMost(Duration.ofSeconds(5));
        } catch (io.quarkus.security.AuthenticationFailedException e) {
            return null;
        }
    }

    /** Milliseconds until the token is refused there (fails past 3 s). */
    long millisUntilRefused(String token, java.util.function.Predicate<SecurityIdentity> stillAccepted)
            throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            SecurityIdentity id = check(token);
            if (id == null || !stillAccepted.test(id)) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if (System.nanoTime() - start > 3_000_000_000L) {
                throw new AssertionError("the other service still accepts the token after 3 s");
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        cache.stop();
    }
}
