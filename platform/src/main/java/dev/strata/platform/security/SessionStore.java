package dev.strata.platform.security;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.redis.RedisScript;

/**
 * The fast path for sessions: {@code session:<hash>} → {@link SessionRecord} with a TTL, and the per-user index
 * {@code user-sessions:<userId>} (a set, always with a TTL) so that "revoke all" needs no KEYS/SCAN.
 * Postgres (auth-service) keeps the durable record; this is what every service checks on every request.
 */
@ApplicationScoped
public class SessionStore {

    public static final String SESSION_PREFIX = "session:";
    public static final String USER_INDEX_PREFIX = "user-sessions:";

    /**
     * Token hash → when a check last found the session (Redis TIME, epoch seconds). auth-service moves it into
     * {@code sessions.last_seen_at} in batches, so the check path never writes to Postgres.
     */
    public static final String SEEN_KEY = "strata:sessions:seen";

    // GET + EXPIRE to min(idle, absolute expiry - now) + note the time in the seen index, atomically, one round trip
    private static final RedisScript TOUCH = new RedisScript("""
            redis.replicate_commands()
            local v = redis.call('GET', KEYS[1])
            if not v then return false end
            local now = tonumber(redis.call('TIME')[1])
            local ok, r = pcall(cjson.decode, v)
            if ok and type(r) == 'table' then
              local idle = tonumber(r['idleSeconds']) or 0
              local exp = tonumber(r['expiresAtEpochSecond'])
              if idle > 0 and exp then
                local ttl = math.min(idle, exp - now)
                if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
              end
            end
            redis.call('ZADD', KEYS[2], now, ARGV[1])
            return v
            """);

    // takes (reads and removes) up to ARGV[1] entries of the seen index at once
    private static final RedisScript TAKE_SEEN = new RedisScript("""
            local r = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
            for i = 1, #r, 2 do redis.call('ZREM', KEYS[1], r[i]) end
            return r
            """);

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSetCommands<String, String> sets;
    private final ReactiveKeyCommands<String> keys;
    private final ObjectMapper json;
    private final SessionNearCache nearCache;

    /** A store without a near-cache of its own process to keep in step (tools, tests). */
    public SessionStore(ReactiveRedisDataSource redis, ObjectMapper json) {
        this(redis, json, null);
    }

    /**
     * Every change made through this store also drops the session from this process's near-cache at once; other
     * processes learn of it from the event auth-service publishes (or within the near-cache's TTL).
     */
    @jakarta.inject.Inject
    public SessionStore(ReactiveRedisDataSource redis, ObjectMapper json, SessionNearCache nearCache) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.sets = redis.set(String.class);
        this.keys = redis.key();
        this.json = json;
        this.nearCache = nearCache;
    }

    /** Stores a session; the TTL is the idle timeout if any, capped by the absolute expiry. */
    public Uni<Void> save(String tokenHash, SessionRecord record) {
        long ttl = ttlSeconds(record, Instant.now());
        if (ttl <= 0) {
            return Uni.createFrom().voidItem();
        }
        String indexKey = USER_INDEX_PREFIX + record.userId();
        long indexTtl = Math.max(ttl, Duration.between(Instant.now(), record.expiresAt()).toSeconds());
        return values.set(SESSION_PREFIX + tokenHash, write(record), new SetArgs().ex(ttl))
                .chain(() -> sets.sadd(indexKey, tokenHash))
                // the index lives as long as the longest session in it
                .chain(() -> keys.ttl(indexKey))
                .chain(current -> current != null && current >= indexTtl ? Uni.createFrom().item(true)
                        : keys.expire(indexKey, indexTtl))
                .replaceWithVoid();
    }

    /**
     * Rewrites a live session's record (e.g. new roles) keeping its TTL, and only if it still exists: a session
     * revoked meanwhile must not come back.
     */
    public Uni<Boolean> replace(String tokenHash, SessionRecord record) {
        return values.set(SESSION_PREFIX + tokenHash, write(record), new SetArgs().xx().keepttl())
                .eventually(() -> forget(List.of(tokenHash)))
                .replaceWith(true);
    }

    /**
     * Looks a session up and slides its idle TTL in the same round trip (one script). Empty when absent or expired.
     * Fails (Redis error) when Redis cannot answer: callers must fail closed.
     */
    public Uni<Optional<SessionRecord>> touch(String tokenHash) {
        String key = SESSION_PREFIX + tokenHash;
        return touchRaw(tokenHash).chain(response -> {
            if (response == null) {
                return Uni.createFrom().item(Optional.<SessionRecord>empty());
            }
            SessionRecord r = read(response.toString());
            if (r == null || r.expiredAt(Instant.now())) {
                return keys.del(key).replaceWith(Optional.<SessionRecord>empty());
            }
            return Uni.createFrom().item(Optional.of(r));
        });
    }

    /** The touch script alone: the record's JSON as Redis holds it (after sliding its idle TTL), or null. */
    public Uni<String> touchRaw(String tokenHash) {
        return TOUCH.run(redis, List.of(SESSION_PREFIX + tokenHash, SEEN_KEY), tokenHash)
                .map(response -> response == null ? null : response.toString());
    }

    /** When a check last found each session and auth-service has not moved it to Postgres yet (absent: none). */
    public Uni<Map<String, Instant>> seen(List<String> tokenHashes) {
        if (tokenHashes.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return redis.sortedSet(String.class).zmscore(SEEN_KEY, tokenHashes.toArray(String[]::new)).map(scores -> {
            Map<String, Instant> m = new HashMap<>();
            for (int i = 0; i < tokenHashes.size(); i++) {
                Double d = scores.get(i);
                if (d != null) {
                    m.put(tokenHashes.get(i), Instant.ofEpochSecond(d.longValue()));
                }
            }
            return m;
        });
    }

    /** Takes up to {@code max} entries out of the seen index (token hash → time), oldest first. */
    public Uni<Map<String, Instant>> takeSeen(int max) {
        return TAKE_SEEN.run(redis, List.of(SEEN_KEY), Integer.toString(max)).map(r -> {
            Map<String, Instant> m = new LinkedHashMap<>();
            if (r != null) {
                for (int i = 0; i + 1 < r.size(); i += 2) {
                    m.put(r.get(i).toString(), Instant.ofEpochSecond((long) Double.parseDouble(r.get(i + 1).toString())));
                }
            }
            return m;
        });
    }

    /** Puts taken entries back (their write failed), never moving an entry back in time. */
    public Uni<Void> returnSeen(Map<String, Instant> taken) {
        if (taken.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> args = new ArrayList<>(List.of("ZADD", SEEN_KEY, "GT"));
        taken.forEach((hash, at) -> {
            args.add(Long.toString(at.getEpochSecond()));
            args.add(hash);
        });
        return redis.execute(args.get(0), args.subList(1, args.size()).toArray(String[]::new)).replaceWithVoid();
    }

    /** Drops a session key that must not be used any more (e.g. a record past its absolute expiry). */
    public Uni<Void> discard(String tokenHash) {
        return keys.del(SESSION_PREFIX + tokenHash).eventually(() -> forget(List.of(tokenHash))).replaceWithVoid();
    }

    public Uni<Optional<SessionRecord>> find(String tokenHash) {
        return values.get(SESSION_PREFIX + tokenHash).map(raw -> Optional.ofNullable(raw == null ? null : read(raw)));
    }

    /** Removes one session from Redis: effective for every service at once. */
    public Uni<Void> delete(String userId, String tokenHash) {
        return keys.del(SESSION_PREFIX + tokenHash)
                .eventually(() -> forget(List.of(tokenHash)))
                .chain(() -> sets.srem(USER_INDEX_PREFIX + userId, tokenHash))
                .replaceWithVoid();
    }

    /** Removes every session of a user except {@code keepHash} (may be null); returns the removed hashes. */
    public Uni<List<String>> deleteAllOf(String userId, String keepHash) {
        String indexKey = USER_INDEX_PREFIX + userId;
        return sets.smembers(indexKey).chain(members -> {
            List<String> doomed = members.stream().filter(h -> !h.equals(keepHash)).toList();
            if (doomed.isEmpty()) {
                return Uni.createFrom().item(doomed);
            }
            String[] sessionKeys = doomed.stream().map(h -> SESSION_PREFIX + h).toArray(String[]::new);
            return keys.del(sessionKeys)
                    .eventually(() -> forget(doomed))
                    .chain(() -> sets.srem(indexKey, doomed.toArray(String[]::new)))
                    .replaceWith(doomed);
        });
    }

    /** Removes these sessions (by token hash) whether or not the user's index lists them. */
    public Uni<Void> deleteHashes(String userId, List<String> tokenHashes) {
        if (tokenHashes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return keys.del(tokenHashes.stream().map(h -> SESSION_PREFIX + h).toArray(String[]::new))
                .eventually(() -> forget(tokenHashes))
                .chain(() -> sets.srem(USER_INDEX_PREFIX + userId, tokenHashes.toArray(String[]::new)))
                .replaceWithVoid();
    }

    static long ttlSeconds(SessionRecord r, Instant now) {
        long absolute = Duration.between(now, r.expiresAt()).toSeconds();
        return r.idleSeconds() > 0 ? Math.min(r.idleSeconds(), absolute) : absolute;
    }

    private void forget(List<String> tokenHashes) {
        if (nearCache != null) {
            nearCache.invalidate(tokenHashes);
        }
    }

    private String write(SessionRecord r) {
        try {
            return json.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("session record is always serializable", e);
        }
    }

    /** The record in {@code raw}, or null when it is not one. */
    public SessionRecord read(String raw) {
        try {
            return json.readValue(raw, SessionRecord.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
