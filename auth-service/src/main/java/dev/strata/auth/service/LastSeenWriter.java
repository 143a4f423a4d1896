package dev.strata.auth.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.auth.config.AuthConfig;
import dev.strata.platform.security.SessionStore;

/**
 * Moves the last-check times that every service's session check notes in Redis ({@link SessionStore#SEEN_KEY})
 * into {@code sessions.last_seen_at}, in batches every {@code strata.auth.sessions.last-seen-flush}. The check path
 * itself never touches Postgres, and a session checked a thousand times in the interval costs one row update.
 */
@ApplicationScoped
public class LastSeenWriter {

    private static final Logger LOG = Logger.getLogger(LastSeenWriter.class);
    private static final int BATCH = 1000;
    private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(5);

    private final SessionStore store;
    private final Pool pool;
    private final Vertx vertx;
    private final long intervalMillis;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    public LastSeenWriter(SessionStore store, Pool pool, Vertx vertx, AuthConfig config) {
        this.store = store;
        this.pool = pool;
        this.vertx = vertx;
        this.intervalMillis = config.sessions().lastSeenFlush().toMillis();
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(intervalMillis, id -> {
            // one flush at a time per process; a slow one is not stacked on
            if (running.compareAndSet(false, true)) {
                flush().subscribe().with(n -> running.set(false), x -> {
                    running.set(false);
                    LOG.warnf("last-seen times not written yet (%s); next try in %d ms", x.toString(), intervalMillis);
                });
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Writes every noted time to Postgres; the number of entries taken. */
    public Uni<Integer> flush() {
        return store.takeSeen(BATCH).ifNoItem().after(TIMEOUT).fail().chain(taken -> {
            if (taken.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return write(taken)
                    // a failed write puts the entries back (never moving one back in time) for the next round
                    .onFailure().call(x -> store.returnSeen(taken).onFailure().recoverWithNull())
                    .chain(() -> taken.size() < BATCH ? Uni.createFrom().item(taken.size())
                            : flush().map(more -> taken.size() + more));
        });
    }

    private Uni<Void> write(Map<String, Instant> taken) {
        List<String> hashes = new ArrayList<>(taken.size());
        List<OffsetDateTime> times = new ArrayList<>(taken.size());
        taken.forEach((hash, at) -> {
            hashes.add(hash);
            times.add(at.atOffset(ZoneOffset.UTC));
        });
        return pool.preparedQuery("update auth.sessions s set last_seen_at = v.seen"
                + " from unnest($1::text[], $2::timestamptz[]) as v(hash, seen)"
                + " where s.token_hash = v.hash and s.last_seen_at < v.seen")
                .execute(Tuple.of(hashes.toArray(String[]::new), times.toArray(OffsetDateTime[]::new)))
                .ifNoItem().after(TIMEOUT).fail().replaceWithVoid();
    }
}
