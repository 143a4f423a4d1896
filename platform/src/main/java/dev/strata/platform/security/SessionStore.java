package dev.strata.platform.security;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    // GET + EXPIRE to min(idle, absolute expiry - now), atomically and in one round trip
    private static final RedisScript TOUCH = new RedisScript("""
            redis.replicate_commands()
            local v = redis.call('GET', KEYS[1])
            if not v then return false end
            local ok, r = pcall(cjson.decode, v)
            if ok and type(r) == 'table' then
              local idle = tonumber(r['idleSeconds']) or 0
              local exp = tonumber(r['expiresAtEpochSecond'])
              if idle > 0 and exp then
                local ttl = math.min(idle, exp - tonumber(redis.call('TIME')[1]))
                if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
              end
            end
            return v
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
        return TOUCH.run(redis, List.of(SESSION_PREFIX + tokenHash))
                .map(response -> response == null ? null : response.toString());
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
