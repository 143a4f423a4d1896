package dev.strata.storage.service;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.quarkus.redis.datasource.sortedset.SortedSetCommands;

import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.ObjectKeys;

/**
 * Per-user quota over {@code user-uploads}. Stored objects are counted from one listing of the user's prefix (at
 * most {@code max-objects} keys, so cheap and exact: the bucket is the record of what exists). Tickets issued but
 * not yet used leave no object, so they are kept in Redis (a sorted set per user, scored by the policy's expiry)
 * and counted at their declared size until they expire or their object appears. Blocking: call on a worker.
 */
@ApplicationScoped
public class UploadQuota {

    static final String PREFIX = "strata:storage:pending:";

    private final SortedSetCommands<String, String> pending;
    private final RedisDataSource redis;
    private final ObjectStore store;
    private final StorageConfig config;
    // one user's requests are decided one at a time (per replica), so two concurrent requests cannot both take the
    // last slot; striped so the lock table does not grow with the number of users
    private final Object[] locks = new Object[64];

    public UploadQuota(RedisDataSource redis, ObjectStore store, StorageConfig config) {
        this.redis = redis;
        this.pending = redis.sortedSet(String.class);
        this.store = store;
        this.config = config;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    public Object lockFor(String userId) {
        return locks[Math.floorMod(userId.hashCode(), locks.length)];
    }

    /** What the user holds now: objects and bytes, pending tickets included. */
    public record Usage(int objects, long bytes) {
    }

    public Usage usage(String userId, Instant now) throws Exception {
        String bucket = config.buckets().userUploads().name();
        List<ObjectInfo> stored = store.listNow(bucket, userId + "/", o -> true);
        Set<String> uploaded = new HashSet<>();
        int objects = stored.size();
        long bytes = 0;
        for (ObjectInfo o : stored) {
            bytes += o.size();
            String id = ObjectKeys.uploadIdOf(o.key());
            if (id != null) {
                uploaded.add(id);
            }
        }
        String key = PREFIX + userId;
        List<String> members = redis(() -> {
            pending.zremrangebyscore(key, ScoreRange.from(Double.NEGATIVE_INFINITY, (double) now.toEpochMilli()));
            return pending.zrange(key, 0, -1);
        });
        for (String member : members) {
            int colon = member.indexOf(':');
            if (colon < 0 || uploaded.contains(member.substring(0, colon))) {
                continue; // its object exists and is counted above at its real size
            }
            objects++;
            bytes += Long.parseLong(member.substring(colon + 1));
        }
        return new Usage(objects, bytes);
    }

    /** Throws 409 {@code quota-exceeded} when one more upload of {@code size} bytes would exceed either limit. */
    public void check(String userId, long size, Instant now) throws Exception {
        StorageConfig.Quota q = config.quota();
        Usage u = usage(userId, now);
        if (u.objects() + 1 > q.maxObjects()) {
            throw StorageProblems.quotaExceeded("At most " + q.maxObjects()
                    + " uploads per user (pending and completed); delete or wait for older uploads to expire");
        }
        if (u.bytes() + size > q.maxBytes()) {
            throw StorageProblems.quotaExceeded("At most " + q.maxBytes() + " bytes of uploads per user; "
                    + u.bytes() + " in use, " + size + " requested");
        }
    }

    public void reserve(String userId, UUID uploadId, long size, Instant expiresAt) {
        String key = PREFIX + userId;
        redis(() -> {
            pending.zadd(key, (double) expiresAt.toEpochMilli(), uploadId + ":" + size);
            // the set empties itself once the newest ticket has expired
            return redis.key().pexpireat(key, expiresAt.toEpochMilli() + 1000);
        });
    }

    /** A Redis failure is a 503 like any unavailable dependency, not a 500. */
    private static <T> T redis(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw dev.strata.platform.problem.ProblemException.dependencyDown("Redis", e);
        }
    }

    /** Pending tickets recorded for a user (expired ones included until the next check prunes them). */
    public long pendingCount(String userId) {
        return pending.zcard(PREFIX + userId);
    }
}
