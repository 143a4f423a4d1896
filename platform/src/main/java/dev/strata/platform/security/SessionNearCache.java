package dev.strata.platform.security;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.Vertx;

import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;

/**
 * Sessions this process checked recently (token hash → the identity built from a verified record), so that a
 * repeated token costs neither a Redis round trip nor a signature check.
 *
 * <p>Revocation stays effective within the bound everywhere:
 * <ul>
 * <li>an entry is never served older than {@code ttl} (1 s by default) nor past the record's absolute expiry;</li>
 * <li>{@code strata.sessions.revoked} and {@code strata.sessions.updated} (role changes) drop the named token hashes
 * at once (an event without {@code tokenHashes} empties the cache);</li>
 * <li>the feed is only trusted while this process's own pings, published every {@code ping-interval} on a channel of
 * its own over the same subscription connection, come back within {@code health-timeout}. Until the first ping
 * comes back, when the subscription ends or fails, or when pings stop coming back, the cache is emptied and
 * bypassed (every request goes to Redis) and the subscription is made again;</li>
 * <li>a lookup that was in flight while any invalidation or health change happened is not cached (an epoch counter),
 * so a record read just before a revocation cannot be cached after it.</li>
 * </ul>
 * Independently of the cache's health, {@link #checked} remembers which exact record bytes were already verified for
 * a token hash: when Redis answers with the same bytes again, the JSON decoding and the Ed25519 check are skipped
 * (a pure memo: Redis was still asked).
 */
@ApplicationScoped
public class SessionNearCache {

    private static final Logger LOG = Logger.getLogger(SessionNearCache.class);
    private static final String PING_PREFIX = "strata.platform.near-cache.";

    /** A verified record and the identity built from it. */
    public record Checked(String raw, SecurityIdentity identity, long expiresAtMillis) {
        boolean expiredAt(long nowMillis) {
            return nowMillis >= expiresAtMillis;
        }
    }

    /** A cache entry: what was checked, as of when, and whether a background refresh of it is under way. */
    public static final class Entry {
        private final Checked checked;
        private final long readAtNanos;
        private final AtomicBoolean refreshing = new AtomicBoolean();

        Entry(Checked checked, long readAtNanos) {
            this.checked = checked;
            this.readAtNanos = readAtNanos;
        }

        public Checked checked() {
            return checked;
        }

        public SecurityIdentity identity() {
            return checked.identity();
        }
    }

    private final boolean enabled;
    private final long ttlNanos;
    private final long refreshAfterNanos;
    private final long pingIntervalMillis;
    private final long healthTimeoutNanos;
    private final ReactivePubSubCommands<String> pubsub;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final Cache<String, Entry> cache;
    private final Cache<String, Checked> checked;
    private final String pingChannel = PING_PREFIX + UUID.randomUUID();

    /** Bumped by every invalidation and every health change: a lookup caches its result only if it did not move. */
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean healthy;
    private volatile long confirmedAtNanos;
    private volatile ReactiveRedisSubscriber subscriber;
    private volatile boolean subscribing;
    private volatile long subscribedAtNanos;
    private final AtomicLong subscription = new AtomicLong();
    private volatile long timer = -1;
    private volatile boolean stopped;

    @Inject
    public SessionNearCache(ReactiveRedisDataSource redis, ObjectMapper json, Vertx vertx,
            SessionNearCacheConfig config) {
        this.enabled = config.enabled() && config.ttl().compareTo(Duration.ZERO) > 0 && config.maxSize() > 0;
        this.ttlNanos = config.ttl().toNanos();
        // hot sessions are re-read (and their idle TTL slid) in the background before their entry ends
        this.refreshAfterNanos = Math.min(config.touchInterval().toNanos(), ttlNanos / 2);
        this.pingIntervalMillis = Math.max(10, config.pingInterval().toMillis());
        this.healthTimeoutNanos = config.healthTimeout().toNanos();
        this.pubsub = redis.pubsub(String.class);
        this.json = json;
        this.vertx = vertx;
        this.cache = Caffeine.newBuilder().maximumSize(Math.max(1, config.maxSize()))
                .expireAfterWrite(Math.max(1, ttlNanos), TimeUnit.NANOSECONDS).build();
        // the verified-bytes memo is not a trust decision (Redis is still asked), so it may live longer
        this.checked = Caffeine.newBuilder().maximumSize(Math.max(1, config.maxSize()))
                .expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    /** Subscribes and starts pinging (beans do this at startup; tests that build their own instance call it). */
    public synchronized void start() {
        if (!enabled || timer >= 0 || stopped) {
            return;
        }
        timer = vertx.setPeriodic(pingIntervalMillis, id -> tick());
        subscribe();
    }

    @PreDestroy
    public synchronized void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        down("stopped");
        ReactiveRedisSubscriber s = subscriber;
        subscriber = null;
        subscription.incrementAndGet(); // its end callback is expected now, not a loss
        if (s != null) {
            s.unsubscribe().subscribe().with(x -> {
            }, x -> {
            });
        }
    }

    /** True while the invalidation feed is confirmed: only then are entries served. */
    public boolean healthy() {
        return enabled && healthy && System.nanoTime() - confirmedAtNanos <= healthTimeoutNanos;
    }

    /** An entry young enough to trust, or null (also null while the feed is not healthy). */
    public Entry get(String tokenHash) {
        if (!healthy()) {
            return null;
        }
        Entry e = cache.getIfPresent(tokenHash);
        if (e == null) {
            return null;
        }
        if (System.nanoTime() - e.readAtNanos > ttlNanos || e.checked.expiredAt(System.currentTimeMillis())) {
            cache.asMap().remove(tokenHash, e);
            return null;
        }
        return e;
    }

    /**
     * True, once per entry, when a hit should re-read the session in the background: the touch script slides its
     * idle TTL and a byte-identical record renews the entry ({@link #put} with a fresh stamp), so a session in use
     * neither expires from the cache under load nor makes every concurrent request miss at once.
     */
    public boolean refreshDue(Entry e) {
        return System.nanoTime() - e.readAtNanos >= refreshAfterNanos && e.refreshing.compareAndSet(false, true);
    }

    /** Take before a Redis lookup; hand to {@link #put} after it. */
    public long stamp() {
        return epoch.get();
    }

    /** The identity already built from exactly these record bytes for this token hash, if any. */
    public Checked checked(String tokenHash, String raw) {
        Checked c = checked.getIfPresent(tokenHash);
        return c != null && c.raw().equals(raw) ? c : null;
    }

    /**
     * Caches a verified record read from Redis by a lookup that began at {@code readAtNanos} with {@code stamp},
     * unless anything was invalidated (or the feed's health changed) since. The entry's age counts from the start of
     * that lookup.
     */
    public void put(String tokenHash, Checked c, long stamp, long readAtNanos) {
        checked.put(tokenHash, c);
        if (!healthy() || epoch.get() != stamp) {
            return;
        }
        cache.put(tokenHash, new Entry(c, readAtNanos));
        if (epoch.get() != stamp) {
            // an invalidation raced with the put: it may have run before the entry existed
            cache.invalidate(tokenHash);
        }
    }

    public void invalidate(String tokenHash) {
        epoch.incrementAndGet();
        cache.invalidate(tokenHash);
        checked.invalidate(tokenHash);
    }

    public void invalidate(Collection<String> tokenHashes) {
        epoch.incrementAndGet();
        cache.invalidateAll(tokenHashes);
        checked.invalidateAll(tokenHashes);
    }

    public void invalidateAll() {
        epoch.incrementAndGet();
        cache.invalidateAll();
    }

    /** Entries currently held (tests, metrics). */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    // ---- the invalidation feed ----

    private synchronized void subscribe() {
        if (stopped || subscribing || subscriber != null) {
            return;
        }
        subscribing = true;
        long id = subscription.incrementAndGet();
        pubsub.subscribe(List.of(EventChannels.SESSIONS_REVOKED, EventChannels.SESSIONS_UPDATED, pingChannel),
                (channel, payload) -> onMessage(id, channel, payload),
                () -> lost(id, "subscription ended", null),
                x -> lost(id, "subscription failed", x))
                .ifNoItem().after(Duration.ofNanos(Math.max(healthTimeoutNanos, 1_000_000_000L))).fail()
                .subscribe().with(s -> {
                    synchronized (this) {
                        subscribing = false;
                        if (stopped || subscription.get() != id) {
                            s.unsubscribe().subscribe().with(x -> {
                            }, x -> {
                            });
                            return;
                        }
                        subscriber = s;
                        subscribedAtNanos = System.nanoTime();
                    }
                    ping();
                }, x -> {
                    synchronized (this) {
                        subscribing = false;
                        subscription.incrementAndGet();
                    }
                    LOG.debugf("session near-cache: cannot subscribe (%s); bypassed until it can", x.toString());
                });
    }

    private void lost(long id, String why, Throwable x) {
        synchronized (this) {
            if (stopped || subscription.get() != id) {
                return;
            }
            subscriber = null;
        }
        LOG.warnf("session near-cache: %s (%s); bypassed until the subscription is back", why,
                x == null ? "-" : x.toString());
        down(why);
    }

    private void tick() {
        long now = System.nanoTime();
        if (healthy && now - confirmedAtNanos > healthTimeoutNanos) {
            LOG.warn("session near-cache: its pings stopped coming back; bypassed until they do");
            down("no ping back");
        }
        ReactiveRedisSubscriber s = subscriber;
        if (s == null) {
            subscribe();
            return;
        }
        if (!healthy && now - subscribedAtNanos > 3 * healthTimeoutNanos
                && now - confirmedAtNanos > 3 * healthTimeoutNanos) {
            // subscribed, yet nothing comes back: make a new subscription
            synchronized (this) {
                if (subscriber == s) {
                    subscriber = null;
                    subscription.incrementAndGet();
                }
            }
            s.unsubscribe().subscribe().with(x -> {
            }, x -> {
            });
            subscribe();
            return;
        }
        ping();
    }

    private void ping() {
        pubsub.publish(pingChannel, Long.toString(System.nanoTime()))
                .ifNoItem().after(Duration.ofNanos(healthTimeoutNanos)).fail()
                .subscribe().with(x -> {
                }, x -> LOG.debugf("session near-cache: ping not published: %s", x.toString()));
    }

    private void onMessage(long id, String channel, String payload) {
        if (pingChannel.equals(channel)) {
            if (subscription.get() != id) {
                return;
            }
            long sent;
            try {
                sent = Long.parseLong(payload);
            } catch (NumberFormatException e) {
                return;
            }
            if (sent - confirmedAtNanos > 0) {
                confirmedAtNanos = sent;
            }
            if (!healthy && System.nanoTime() - sent <= healthTimeoutNanos) {
                synchronized (this) {
                    if (!healthy && !stopped) {
                        epoch.incrementAndGet();
                        healthy = true;
                        LOG.debug("session near-cache: invalidation feed confirmed");
                    }
                }
            }
            return;
        }
        // revocations and record changes: drop what they name, everything when they name nothing usable
        try {
            EventEnvelope e = json.readValue(payload, EventEnvelope.class);
            Object hashes = e.data() == null ? null : e.data().get("tokenHashes");
            if (hashes instanceof Collection<?> c && c.stream().allMatch(h -> h instanceof String)) {
                invalidate(c.stream().map(String.class::cast).toList());
                return;
            }
        } catch (Exception ex) {
            // unreadable: be safe
        }
        invalidateAll();
    }

    private synchronized void down(String why) {
        epoch.incrementAndGet();
        healthy = false;
        cache.invalidateAll();
    }
}
