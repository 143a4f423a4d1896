package dev.strata.platform.security;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code strata.sessions.near-cache.*}: the per-process cache of recently checked sessions. */
@ConfigMapping(prefix = "strata.sessions.near-cache")
public interface SessionNearCacheConfig {

    /** Off: every request checks Redis and the signature (the behaviour before the near-cache). */
    @WithDefault("true")
    boolean enabled();

    /** The longest an entry is trusted without asking Redis again: the revocation bound if an event is lost. */
    @WithDefault("1s")
    Duration ttl();

    /** How many sessions one process keeps (the least valuable go first). */
    @WithDefault("10000")
    int maxSize();

    /**
     * A session served from the cache is re-read in the background (the touch script: its idle TTL slides, and the
     * entry is renewed if the record is unchanged) at most once per this interval or half the TTL, whichever is
     * shorter. Keep it well under the shortest idle timeout.
     */
    @WithDefault("5s")
    Duration touchInterval();

    /** How often this process publishes a ping to itself through its invalidation subscription. */
    @WithDefault("250ms")
    Duration pingInterval();

    /**
     * The invalidation feed counts as healthy only while a ping sent less than this long ago has come back through
     * the subscription; otherwise the cache is emptied and bypassed until one does.
     */
    @WithDefault("1s")
    Duration healthTimeout();
}
