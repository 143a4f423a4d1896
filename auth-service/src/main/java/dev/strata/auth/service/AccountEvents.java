package dev.strata.auth.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

import dev.strata.auth.config.AuthConfig;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.events.outbox.Outbox;
import dev.strata.platform.events.outbox.OutboxRelay;

/**
 * Account events a user must hear about (a way into the account was added or removed, the password changed, every
 * session signed out, a wallet address or a passkey added or removed): written to {@code auth.outbox} in the transaction of the change, relayed after the commit to
 * the stream {@code strata:events:accounts} and the channel {@code strata.accounts.<event>}. Durable, because a
 * "someone linked a Google account to yours" mail that Redis lost is a security notice never sent.
 */
@ApplicationScoped
public class AccountEvents {

    public static final String OUTBOX_TABLE = "auth.outbox";
    public static final String LINKED = "accounts.linked";
    public static final String UNLINKED = "accounts.unlinked";
    public static final String PASSWORD_CHANGED = "accounts.password_changed";
    public static final String SESSIONS_REVOKED = "accounts.sessions_revoked";
    public static final String WALLET_LINKED = "accounts.wallet_linked";
    public static final String WALLET_UNLINKED = "accounts.wallet_unlinked";
    public static final String SESSION_CREATED = "sessions.created";
    public static final String PASSKEY_ADDED = "accounts.passkey_added";
    public static final String PASSKEY_REMOVED = "accounts.passkey_removed";
    public static final String MFA_ENABLED = "accounts.mfa_enabled";
    public static final String MFA_DISABLED = "accounts.mfa_disabled";
    public static final String PASSWORD_RESET = "accounts.password_reset";
    public static final String EMAIL_CHANGED = "accounts.email_changed";

    private final Outbox outbox;
    private final OutboxRelay relay;
    private final Vertx vertx;
    private final boolean relayEnabled;

    public AccountEvents(ObjectMapper json, Pool pool, ReactiveRedisDataSource redis, MeterRegistry meters,
            Vertx vertx, AuthConfig config) {
        this.outbox = new Outbox(OUTBOX_TABLE, json);
        this.relay = new OutboxRelay(pool, redis, OUTBOX_TABLE, OutboxRelay.Options.defaults(), meters);
        this.vertx = vertx;
        this.relayEnabled = config.events().relayEnabled();
    }

    void onStart(@Observes StartupEvent event) {
        if (relayEnabled) {
            relay.start(vertx);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        relay.stop();
    }

    /** Wakes the relay after a commit, so the event leaves within milliseconds rather than at the next tick. */
    public void poke() {
        if (relayEnabled) {
            relay.poke();
        }
    }

    public Uni<Void> linked(UUID userId, String provider) {
        return append(LINKED, userId, Map.of("provider", provider, "method", "oauth"));
    }

    public Uni<Void> unlinked(UUID userId, String provider, String why) {
        return append(UNLINKED, userId, Map.of("provider", provider, "reason", why));
    }

    public Uni<Void> passwordChanged(UUID userId, int sessionsRevoked, int accountsUnlinked) {
        return append(PASSWORD_CHANGED, userId,
                Map.of("sessionsRevoked", sessionsRevoked, "accountsUnlinked", accountsUnlinked));
    }

    /** Every session (or every other one) ended at once: by the user, a password change or a ban. */
    public Uni<Void> sessionsRevoked(UUID userId, int count, String reason) {
        return append(SESSIONS_REVOKED, userId, Map.of("count", count, "reason", reason));
    }

    /** A wallet address was proved and linked to the user (address lower-case). */
    public Uni<Void> walletLinked(UUID userId, String address) {
        return append(WALLET_LINKED, userId, Map.of("address", address));
    }

    /** The user removed a linked wallet address. */
    public Uni<Void> walletUnlinked(UUID userId, String address) {
        return append(WALLET_UNLINKED, userId, Map.of("address", address));
    }

    /**
     * A sign-in from an address and browser this user never signed in from before (not sent for a user's first
     * session): what a "new sign-in to your account" notice is made of.
     */
    public Uni<Void> sessionCreated(UUID userId, UUID sessionId, String ip, String userAgent) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessionId", sessionId.toString());
        data.put("ip", ip);
        data.put("userAgent", userAgent);
        return append(SESSION_CREATED, userId, data);
    }

    /** A passkey was registered: a new way into the account. */
    public Uni<Void> passkeyAdded(UUID userId, UUID passkeyId, String name) {
        return append(PASSKEY_ADDED, userId, Map.of("passkeyId", passkeyId.toString(), "name", name));
    }

    /** The user removed a passkey. */
    public Uni<Void> passkeyRemoved(UUID userId, UUID passkeyId, String name) {
        return append(PASSKEY_REMOVED, userId, Map.of("passkeyId", passkeyId.toString(), "name", name));
    }

    /** A second sign-in factor was turned on ({@code method}: {@code totp}). */
    public Uni<Void> mfaEnabled(UUID userId, String method) {
        return append(MFA_ENABLED, userId, Map.of("method", method));
    }

    /** A second sign-in factor was turned off. */
    public Uni<Void> mfaDisabled(UUID userId, String method) {
        return append(MFA_DISABLED, userId, Map.of("method", method));
    }

    /** The password was set through a reset link; every session was signed out. */
    public Uni<Void> passwordReset(UUID userId, int sessionsRevoked) {
        return append(PASSWORD_RESET, userId, Map.of("sessionsRevoked", sessionsRevoked));
    }

    /** The account's e-mail address changed (confirmed by a code sent to the new one). */
    public Uni<Void> emailChanged(UUID userId, String email, String previousEmail) {
        return append(EMAIL_CHANGED, userId, Map.of("email", email, "previousEmail", previousEmail));
    }

    /** Call inside the transaction of the change. */
    private Uni<Void> append(String type, UUID userId, Map<String, Object> fields) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("userId", userId.toString());
        data.putAll(fields);
        EventEnvelope e = EventEnvelope.of(type, userId.toString(), data);
        return Panache.getSession().chain(s -> outbox.append(s, e));
    }
}
