package dev.strata.settings.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.mutiny.core.Vertx;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.security.SessionStore;
import dev.strata.settings.config.SettingsConfig;

/**
 * The open notification sockets of this replica, and the fan-out between replicas: a new inbox entry is published
 * once on {@value #CHANNEL}; every replica receives it and writes it to the sockets it holds for that user (and to
 * nobody else's). A revoked session's sockets close as soon as auth-service announces the revocation; a periodic
 * re-check of every socket's session catches missed announcements and plain expiry.
 */
@ApplicationScoped
public class PushHub {

    public static final String CHANNEL = "strata.settings.push";
    static final short CLOSE_POLICY = 1008;

    private static final Logger LOG = Logger.getLogger(PushHub.class);

    /** One authenticated socket. */
    public record Connection(String userId, String tokenHash, ServerWebSocket socket) {
    }

    private final Map<String, ConcurrentLinkedDeque<Connection>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final EventBus events;
    private final SessionStore sessions;
    private final ObjectMapper json;
    private final SettingsConfig.Push config;
    private final Vertx vertx;
    private final Counter sent;
    private final Counter closedRevoked;
    private long sweepTimer = -1;
    private long pingTimer = -1;

    public PushHub(EventBus events, SessionStore sessions, ObjectMapper json, SettingsConfig config, Vertx vertx,
            MeterRegistry meters) {
        this.events = events;
        this.sessions = sessions;
        this.json = json;
        this.config = config.push();
        this.vertx = vertx;
        Gauge.builder("strata.notifications.websocket.connections", open, AtomicInteger::get)
                .description("open notification sockets on this replica").register(meters);
        this.sent = meters.counter("strata.notifications.websocket.messages");
        this.closedRevoked = meters.counter("strata.notifications.websocket.closed", "reason", "session-ended");
    }

    void onStart(@Observes StartupEvent e) {
        events.subscribe(CHANNEL, (channel, envelope) -> deliverLocally(envelope))
                .subscribe().with(s -> {
                }, x -> LOG.errorf("cannot subscribe to %s: push is off on this replica: %s", CHANNEL, x.toString()));
        events.subscribe(EventChannels.SESSIONS_REVOKED, (channel, envelope) -> onRevoked(envelope))
                .subscribe().with(s -> {
                }, x -> LOG.errorf("cannot subscribe to session revocations: %s", x.toString()));
        sweepTimer = vertx.getDelegate().setPeriodic(config.sweepInterval().toMillis(), id -> sweep());
        pingTimer = vertx.getDelegate().setPeriodic(config.pingInterval().toMillis(), id -> ping());
    }

    @PreDestroy
    void stop() {
        if (sweepTimer >= 0) {
            vertx.getDelegate().cancelTimer(sweepTimer);
        }
        if (pingTimer >= 0) {
            vertx.getDelegate().cancelTimer(pingTimer);
        }
        all().forEach(c -> c.socket().close((short) 1001, "server going away"));
    }

    /** Adds an authenticated socket; beyond the per-user cap the user's oldest socket is closed. */
    public void register(Connection c) {
        ConcurrentLinkedDeque<Connection> mine = byUser.computeIfAbsent(c.userId(), k -> new ConcurrentLinkedDeque<>());
        mine.addLast(c);
        open.incrementAndGet();
        while (mine.size() > config.maxConnectionsPerUser()) {
            Connection oldest = mine.pollFirst();
            if (oldest == null) {
                break;
            }
            open.decrementAndGet();
            oldest.socket().close(CLOSE_POLICY, "too many connections");
        }
        c.socket().closeHandler(v -> unregister(c));
    }

    void unregister(Connection c) {
        ConcurrentLinkedDeque<Connection> mine = byUser.get(c.userId());
        if (mine != null && mine.remove(c)) {
            open.decrementAndGet();
            if (mine.isEmpty()) {
                byUser.remove(c.userId(), mine);
            }
        }
    }

    /** Announces a new inbox entry to whichever replica holds the user's sockets (best effort: the inbox keeps it). */
    public Uni<Void> publish(UUID userId, Object item) {
        @SuppressWarnings("unchecked")
        Map<String, Object> data = json.convertValue(item, Map.class);
        return events.publish(CHANNEL, EventEnvelope.of("settings.push", userId.toString(), data))
                .onFailure().invoke(x -> LOG.warnf("live push for %s not announced (the inbox has it): %s", userId,
                        x.toString()))
                .onFailure().recoverWithNull();
    }

    private void deliverLocally(EventEnvelope envelope) {
        ConcurrentLinkedDeque<Connection> mine = envelope.subject() == null ? null : byUser.get(envelope.subject());
        if (mine == null || mine.isEmpty()) {
            return;
        }
        String text;
        try {
            text = json.writeValueAsString(Map.of("type", "notification", "notification", envelope.data()));
        } catch (JsonProcessingException x) {
            LOG.warnf("push message for %s not serializable", envelope.subject());
            return;
        }
        for (Connection c : mine) {
            if (!c.socket().isClosed()) {
                c.socket().writeTextMessage(text);
                sent.increment();
            }
        }
    }

    private void onRevoked(EventEnvelope envelope) {
        Object hashes = envelope.data() == null ? null : envelope.data().get("tokenHashes");
        if (!(hashes instanceof Collection<?> list) || envelope.subject() == null) {
            return;
        }
        Set<String> doomed = Set.copyOf(list.stream().map(String::valueOf).toList());
        ConcurrentLinkedDeque<Connection> mine = byUser.get(envelope.subject());
        if (mine == null) {
            return;
        }
        for (Connection c : mine) {
            if (doomed.contains(c.tokenHash())) {
                close(c);
            }
        }
    }

    /** Closes every socket whose session is gone from Redis (revoked, expired, idle). */
    void sweep() {
        for (Connection c : all()) {
            sessions.find(c.tokenHash()).ifNoItem().after(java.time.Duration.ofSeconds(2)).fail()
                    .subscribe().with(found -> {
                        if (found.isEmpty() || found.get().expiredAt(java.time.Instant.now())) {
                            close(c);
                        }
                    }, x -> {
                        // Redis unreachable: keep the socket; the next sweep decides
                    });
        }
    }

    private void ping() {
        for (Connection c : all()) {
            if (!c.socket().isClosed()) {
                c.socket().writePing(io.vertx.core.buffer.Buffer.buffer());
            }
        }
    }

    private void close(Connection c) {
        unregister(c);
        if (!c.socket().isClosed()) {
            closedRevoked.increment();
            c.socket().close(CLOSE_POLICY, "session ended");
        }
    }

    private List<Connection> all() {
        List<Connection> out = new ArrayList<>();
        byUser.values().forEach(out::addAll);
        return out;
    }

    public int openConnections() {
        return open.get();
    }
}
