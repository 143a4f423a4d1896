package dev.strata.auth.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.Session;
import dev.strata.auth.domain.User;
import dev.strata.auth.repository.SessionRepository;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.security.SessionRecord;
import dev.strata.platform.security.SessionSignatures;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;

/**
 * Sessions: Postgres holds the durable record (the truth, for listing and audit), Redis the fast path every
 * service checks. Revocation removes the Redis key first (effective everywhere at once), then records it and
 * publishes {@code strata.sessions.revoked} for near-caches.
 */
@ApplicationScoped
public class SessionService {

    public record Created(String token, Session session) {
    }

    public static final String REAUTHENTICATION_REQUIRED = "https://strata.dev/problems/auth/reauthentication-required";

    private final SessionRepository sessions;
    private final UserRepository users;
    private final SessionStore store;
    private final EventBus events;
    private final AccountEvents accountEvents;
    private final AuthConfig.Sessions config;
    private final AuthMetrics metrics;
    // records are worthless to other services unless signed with auth-service's private key
    private final SessionSignatures.Signer signer;

    public SessionService(SessionRepository sessions, UserRepository users, SessionStore store, EventBus events, AccountEvents accountEvents,
            AuthConfig config, AuthMetrics metrics) {
        this.sessions = sessions;
        this.users = users;
        this.store = store;
        this.events = events;
        this.accountEvents = accountEvents;
        this.config = config.sessions();
        this.metrics = metrics;
        this.signer = SessionSignatures.signer(config.sessions().signingKey());
    }

    /** Opens a session for {@code user}; call inside the caller's transaction. The raw token leaves only here. */
    public Uni<Created> open(User user, String ip, String userAgent) {
        String token = SessionTokens.newToken();
        Instant now = Instant.now();
        Session s = new Session();
        s.id = UUID.randomUUID();
        s.userId = user.id;
        s.tokenHash = SessionTokens.hash(token);
        s.createdAt = now;
        s.lastSeenAt = now;
        s.reauthenticatedAt = now;
        s.expiresAt = now.plus(config.absoluteLifetime());
        s.ip = ip;
        s.userAgent = userAgent == null ? null : userAgent.substring(0, Math.min(userAgent.length(), 512));
        return sessions.persist(s)
                .call(() -> announceIfNew(s))
                .chain(() -> store.save(s.tokenHash, signer.sign(s.tokenHash, record(s, user.email, user.roleSet()))))
                .invoke(() -> metrics.sessionCreated())
                .replaceWith(() -> new Created(token, s));
    }

    /** {@code sessions.created} unless the user signed in from this address with this browser before. */
    private Uni<Void> announceIfNew(Session s) {
        return sessions.count("userId = ?1 and id <> ?2", s.userId, s.id).chain(earlier -> earlier == 0
                ? Uni.createFrom().voidItem()
                : sessions.count("userId = ?1 and id <> ?2 and ip is not distinct from ?3"
                        + " and userAgent is not distinct from ?4", s.userId, s.id, s.ip, s.userAgent)
                        .chain(same -> same > 0 ? Uni.createFrom().voidItem()
                                : accountEvents.sessionCreated(s.userId, s.id, s.ip, s.userAgent)));
    }

    /**
     * Opens a session in a transaction of its own, re-reading the user under a shared row lock: a ban (which locks
     * the row for update) either committed first, and the sign-in is refused, or waits for this session and
     * revokes it. Roles come from that fresh read, not from the one made before the password check.
     */
    @WithTransaction
    public Uni<Created> openIn(User user, String verifiedHash, String ip, String userAgent) {
        return users.findById(user.id, LockModeType.PESSIMISTIC_READ).chain(fresh -> {
            if (fresh == null || fresh.banned()) {
                return Uni.createFrom().failure(UserService.banned());
            }
            if (verifiedHash != null && !verifiedHash.equals(fresh.passwordHash)) {
                // the password was changed while we were checking the old one
                return Uni.createFrom().failure(UserService.invalidCredentials());
            }
            return open(fresh, ip, userAgent);
        });
    }

    /** Records a fresh credential check on the caller's session. */
    @WithTransaction
    public Uni<Void> markReauthenticated(UUID userId, UUID sessionId) {
        return sessions.update("reauthenticatedAt = ?1 where id = ?2 and userId = ?3 and revokedAt is null",
                Instant.now(), sessionId, userId).replaceWithVoid();
    }

    /** Fails with 403 {@code auth/reauthentication-required} unless the session proved credentials recently. */
    @WithSession
    public Uni<Void> requireRecentAuthentication(UUID userId, UUID sessionId, java.time.Duration within) {
        return sessions.findById(sessionId).chain(s -> {
            boolean recent = s != null && s.userId.equals(userId) && s.reauthenticatedAt != null
                    && s.reauthenticatedAt.isAfter(Instant.now().minus(within));
            return recent ? Uni.createFrom().voidItem()
                    : Uni.createFrom().failure(new ProblemException(ProblemType.FORBIDDEN, REAUTHENTICATION_REQUIRED,
                            "Confirm your password first (POST /api/sessions/current/reauthentication)", null, null,
                            null));
        });
    }

    /** A live session and when it was last checked by any service. */
    public record Live(Session session, Instant lastSeenAt) {
    }

    /**
     * The user's live sessions: not revoked, not expired, and not idled out. The last check is the newer of
     * {@code last_seen_at} and the time every service's check noted in Redis since the last batched write.
     */
    @WithSession
    public Uni<List<Live>> listLive(UUID userId) {
        Instant now = Instant.now();
        Instant idledOutBefore = config.idleTimeout().isZero() ? null : now.minus(config.idleTimeout());
        return sessions.active(userId, now).chain(list -> store.seen(list.stream().map(s -> s.tokenHash).toList())
                .map(seen -> {
                    List<Live> live = new ArrayList<>();
                    for (Session s : list) {
                        Instant noted = seen.get(s.tokenHash);
                        Instant last = noted != null && noted.isAfter(s.lastSeenAt) ? noted : s.lastSeenAt;
                        if (idledOutBefore == null || last.isAfter(idledOutBefore)) {
                            live.add(new Live(s, last));
                        }
                    }
                    return live;
                }));
    }

    /** Revokes one of the caller's sessions; somebody else's session id is simply not found. */
    @WithTransaction
    public Uni<Void> revokeOwn(UUID userId, UUID sessionId, String reason) {
        return sessions.findById(sessionId).chain(s -> {
            if (s == null || !s.userId.equals(userId) || s.revokedAt != null || !s.expiresAt.isAfter(Instant.now())) {
                return Uni.createFrom().failure(ProblemException.notFound("No such session"));
            }
            return store.delete(userId.toString(), s.tokenHash).invoke(() -> {
                s.revokedAt = Instant.now();
                s.revokeReason = reason;
            }).chain(() -> announce(userId, List.of(s), reason));
        });
    }

    /** Revokes all sessions of a user except {@code keep} (may be null). Call inside a transaction. */
    public Uni<Integer> revokeAllOf(UUID userId, UUID keep, String keepHash, String reason) {
        Instant now = Instant.now();
        return store.deleteAllOf(userId.toString(), keepHash)
                .chain(() -> sessions.revokeAll(userId, keep, now, reason))
                // the index is a convenience, Postgres is the truth: every revoked row's key goes too
                .call(doomed -> store.deleteHashes(userId.toString(),
                        doomed.stream().map(d -> d.tokenHash).toList()))
                .call(doomed -> announce(userId, doomed, reason))
                .map(List::size);
    }

    /**
     * After a committed role change: rewrites the live sessions' records with the roles committed now, under the
     * user's row lock. Syncs of concurrent changes thus run one after another, each writing the latest committed
     * roles, so the last one to run leaves Redis equal to Postgres whatever order the commits and syncs took.
     * Always runs, even when the change was a no-op: repeating a request whose sync failed (Redis down) repairs it.
     */
    public Uni<Void> syncRoles(UUID userId) {
        return syncUser(userId, "roles-changed");
    }

    /** Same after any committed change a session record carries (roles, e-mail address). */
    @WithTransaction
    public Uni<Void> syncUser(UUID userId, String reason) {
        return users.findById(userId, LockModeType.PESSIMISTIC_WRITE)
                .chain(user -> user == null ? Uni.createFrom().voidItem() : refreshRecords(user, reason));
    }

    /**
     * Rewrites the Redis records of a user's live sessions (roles and e-mail address) so a role or address change
     * applies to them at once.
     */
    public Uni<Void> refreshRoles(User user) {
        return refreshRecords(user, "roles-changed");
    }

    private Uni<Void> refreshRecords(User user, String reason) {
        return sessions.active(user.id, Instant.now()).chain(list -> {
            List<Session> rewritten = new ArrayList<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Session s : list) {
                chain = chain.chain(() -> store.find(s.tokenHash).chain(found -> found.isEmpty()
                        ? Uni.createFrom().voidItem()
                        // XX + KEEPTTL: a session revoked between the read and this write stays revoked
                        : store.replace(s.tokenHash, signer.sign(s.tokenHash, withUser(found.get(), user)))
                                .invoke(() -> rewritten.add(s))
                                .replaceWithVoid()));
            }
            // every service's near-cache drops these sessions, so the new roles apply within the bound everywhere
            return chain.chain(() -> announceUpdated(user.id, rewritten, reason));
        });
    }

    /**
     * {@code strata.sessions.updated}: these sessions' records were rewritten (same envelope data as a revocation).
     * Not {@code strata.sessions.revoked}: the sessions stay valid (WebSocket push must not close them).
     */
    private Uni<Void> announceUpdated(UUID userId, List<Session> updated, String reason) {
        if (updated.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return events.publish(EventChannels.SESSIONS_UPDATED, EventEnvelope.of("sessions.updated",
                userId.toString(), Map.of("sessionIds", updated.stream().map(s -> s.id.toString()).toList(),
                        "tokenHashes", updated.stream().map(s -> s.tokenHash).toList(), "reason", reason)))
                // best effort, like revocations: the record is already rewritten; a lost event costs at most the TTL
                .onFailure().recoverWithNull();
    }

    private Uni<Void> announce(UUID userId, List<Session> revoked, String reason) {
        metrics.sessionsRevoked(reason, revoked.size());
        if (revoked.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> ids = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        revoked.forEach(s -> {
            ids.add(s.id.toString());
            hashes.add(s.tokenHash);
        });
        // pub/sub is best effort: the Redis key is already gone, which is what makes revocation effective
        return events.publish(EventChannels.SESSIONS_REVOKED, EventEnvelope.of("sessions.revoked",
                userId.toString(), Map.of("sessionIds", ids, "tokenHashes", hashes, "reason", reason)))
                .onFailure().recoverWithNull();
    }

    private SessionRecord record(Session s, String email, Set<String> roles) {
        return new SessionRecord(s.id.toString(), s.userId.toString(), email, roles, s.createdAt, s.expiresAt,
                s.lastSeenAt, config.idleTimeout().toSeconds());
    }

    private static SessionRecord withUser(SessionRecord r, User user) {
        return new SessionRecord(r.sessionId(), r.userId(), user.email, user.roleSet(), r.createdAt(), r.expiresAt(),
                r.lastSeenAt(), r.idleSeconds());
    }
}
