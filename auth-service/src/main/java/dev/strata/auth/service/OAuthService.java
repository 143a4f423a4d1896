package dev.strata.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.Account;
import dev.strata.auth.domain.Roles;
import dev.strata.auth.domain.User;
import dev.strata.auth.repository.AccountRepository;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.security.SessionTokens;

/**
 * OAuth 2.0 authorization code flow with PKCE (S256), {@code state} and an OIDC {@code nonce}. The pending
 * authorization lives in Redis under the hash of its state, for one use only. The ID token's signature is
 * checked against the provider's JWKS, and its issuer, audience, expiry and nonce against what we sent.
 */
@ApplicationScoped
public class OAuthService {

    public static final String INVALID_STATE = "https://strata.dev/problems/auth/oauth-invalid-state";
    public static final String PROVIDER_ERROR = "https://strata.dev/problems/auth/oauth-provider-error";
    public static final String NOT_LINKED = "https://strata.dev/problems/auth/account-not-linked";
    public static final String ALREADY_LINKED = "https://strata.dev/problems/auth/account-already-linked";
    private static final String STATE_PREFIX = "auth:oauth-state:";
    private static final Logger LOG = Logger.getLogger(OAuthService.class);

    /** @param bindingHash SHA-256 of the cookie set in the browser that started the flow */
    public record Pending(String provider, String mode, String userId, String verifier, String nonce,
            String redirectUri, String bindingHash) {
    }

    public record Outcome(Pending pending, SessionService.Created session, Account linked) {
    }

    record Discovery(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri) {
    }

    private final SecureRandom random = new SecureRandom();
    private final AuthConfig.OAuth config;
    private final WebClient http;
    private final ReactiveValueCommands<String, String> values;
    private final ObjectMapper json;
    private final UserRepository users;
    private final AccountRepository accounts;
    private final SessionService sessions;
    private final AuthMetrics metrics;
    private final Map<String, Discovery> discovered = new ConcurrentHashMap<>();

    private final AccountEvents events;

    public OAuthService(AuthConfig config, Vertx vertx, ReactiveRedisDataSource redis, ObjectMapper json,
            UserRepository users, AccountRepository accounts, SessionService sessions, AuthMetrics metrics,
            AccountEvents events) {
        this.events = events;
        this.config = config.oauth();
        this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000)
                .setUserAgent("strata-auth-service"));
        this.values = redis.value(String.class);
        this.json = json;
        this.users = users;
        this.accounts = accounts;
        this.sessions = sessions;
        this.metrics = metrics;
        checkConfiguration(this.config, io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.NORMAL);
    }

    /** Refuses to start with a configuration that would send codes or tokens where they must not go. */
    static void checkConfiguration(AuthConfig.OAuth config, boolean production) {
        if (production && !config.providers().isEmpty() && config.publicBaseUrl().isEmpty()) {
            throw new IllegalStateException("strata.auth.oauth.public-base-url must be set when OAuth providers are "
                    + "configured: redirect URIs come from configuration, never from a request's Host header");
        }
        config.publicBaseUrl().ifPresent(u -> IdTokens.requireHttps("strata.auth.oauth.public-base-url", u,
                config.requireHttps()));
        config.providers().forEach((id, p) -> IdTokens.requireHttps("strata.auth.oauth.providers." + id
                + ".issuer", p.issuer(), config.requireHttps()));
    }

    public AuthConfig.OAuth.Provider provider(String id) {
        AuthConfig.OAuth.Provider p = config.providers().get(id);
        if (p == null) {
            throw ProblemException.notFound("No such identity provider");
        }
        return p;
    }

    /** From configuration only outside dev and test: a Host header must never choose where codes are sent. */
    public String redirectUri(String providerId, String requestBase) {
        String base = config.publicBaseUrl().orElse(requestBase);
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/accounts/" + providerId
                + "/callback";
    }

    /**
     * Starts a flow; returns the provider URL the browser must visit. {@code binding} is a random value the caller
     * sets as a cookie in that browser: only the browser that started a flow can finish it (no login CSRF, no
     * linking a victim's provider account to someone else's user).
     */
    public Uni<String> start(String providerId, String mode, String userId, String redirectUri, String binding) {
        AuthConfig.OAuth.Provider p = provider(providerId);
        String state = randomToken();
        Pending pending = new Pending(providerId, mode, userId, randomToken(), randomToken(), redirectUri,
                SessionTokens.sha256Hex(binding));
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(SessionTokens.sha256(pending.verifier()));
        return discover(providerId, p).call(d -> values.set(STATE_PREFIX + SessionTokens.sha256Hex(state),
                write(pending), new SetArgs().ex(config.stateTtl())))
                .map(d -> d.authorizationEndpoint() + (d.authorizationEndpoint().contains("?") ? "&" : "?")
                        + "response_type=code&client_id=" + enc(p.clientId()) + "&redirect_uri=" + enc(redirectUri)
                        + "&scope=" + enc(p.scope()) + "&state=" + enc(state) + "&nonce=" + enc(pending.nonce())
                        + "&code_challenge=" + enc(challenge) + "&code_challenge_method=S256");
    }

    /** Finishes a flow: one use of the state, code exchange with the PKCE verifier, ID token checks. */
    public Uni<Outcome> finish(String providerId, String code, String state, String binding, String ip,
            String userAgent) {
        AuthConfig.OAuth.Provider p = provider(providerId);
        return values.getdel(STATE_PREFIX + SessionTokens.sha256Hex(state)).chain(raw -> {
            Pending pending = raw == null ? null : read(raw);
            if (pending == null || !providerId.equals(pending.provider())) {
                return Uni.createFrom().failure(new ProblemException(ProblemType.BAD_REQUEST, INVALID_STATE,
                        "Unknown, used or expired authorization state", null, null, null));
            }
            if (binding == null || pending.bindingHash() == null || !MessageDigest.isEqual(
                    SessionTokens.sha256Hex(binding).getBytes(StandardCharsets.US_ASCII),
                    pending.bindingHash().getBytes(StandardCharsets.US_ASCII))) {
                return Uni.createFrom().failure(new ProblemException(ProblemType.BAD_REQUEST, INVALID_STATE,
                        "This authorization was started in another browser", null, null, null));
            }
            return discover(providerId, p).chain(d -> exchange(p, d, code, pending)
                    .chain(idToken -> verifiedClaims(p, d, idToken, pending.nonce()))
                    .chain(claims -> complete(providerId, p, pending, claims, ip, userAgent)));
        });
    }

    private Uni<Outcome> complete(String providerId, AuthConfig.OAuth.Provider p, Pending pending,
            JWTClaimsSet claims, String ip, String userAgent) {
        String subject = claims.getSubject();
        String email = IdTokens.claim(claims, "email");
        boolean emailVerified = Boolean.TRUE.equals(claims.getClaim("email_verified"));
        if ("link".equals(pending.mode())) {
            return link(UUID.fromString(pending.userId()), providerId, subject, email, p.scope())
                    // the event committed with the link; wake the relay so the user hears of it at once
                    .invoke(events::poke)
                    .map(a -> new Outcome(pending, null, a));
        }
        return signIn(providerId, subject, email, emailVerified, p.scope(), ip, userAgent)
                .map(s -> new Outcome(pending, s, null));
    }

    @WithTransaction
    Uni<Account> link(UUID userId, String providerId, String subject, String email, String scope) {
        return accounts.byProviderAccount(providerId, subject).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(alreadyLinked(existing.userId.equals(userId)
                        ? "This account is already linked to you" : "This account is linked to another user"));
            }
            return accounts.ofUser(userId).chain(mine -> {
                if (mine.stream().anyMatch(a -> a.providerId.equals(providerId))) {
                    return Uni.createFrom().failure(alreadyLinked("You already linked an account of this provider"));
                }
                // announced in the same transaction: the user learns that a way into their account was added
                return accounts.persist(newAccount(userId, providerId, subject, email, scope))
                        .call(a -> events.linked(userId, providerId));
            });
        });
    }

    @WithTransaction
    Uni<SessionService.Created> signIn(String providerId, String subject, String email, boolean emailVerified,
            String scope, String ip, String userAgent) {
        return accounts.byProviderAccount(providerId, subject).chain(account -> {
            if (account != null) {
                return users.findById(account.userId).chain(user -> open(user, true, ip, userAgent));
            }
            if (email == null || !emailVerified) {
                return Uni.createFrom().failure(notLinked("The provider gave no verified e-mail address; sign in "
                        + "with your password and link this account first"));
            }
            String normalized = Credentials.normalizeEmail(email);
            return users.findByEmail(normalized).chain(existing -> {
                if (existing != null) {
                    // never attach an identity to an existing account just because the addresses match
                    return Uni.createFrom().failure(notLinked("An account with this e-mail exists; sign in with "
                            + "your password and link this provider from your account"));
                }
                Instant now = Instant.now();
                User u = new User();
                u.id = UUID.randomUUID();
                u.email = normalized;
                u.emailVerified = true;
                u.roles = Roles.USER;
                u.createdAt = now;
                u.updatedAt = now;
                return users.persist(u)
                        .chain(() -> accounts.persist(newAccount(u.id, providerId, subject, normalized, scope)))
                        .chain(() -> open(u, false, ip, userAgent));
            });
        });
    }

    private Uni<SessionService.Created> open(User user, boolean existing, String ip, String userAgent) {
        // re-read under a share lock: a ban (which locks the row for update) either committed first and is seen
        // here, or waits for this transaction and then revokes the session it opens
        Uni<User> fresh = existing
                ? io.quarkus.hibernate.reactive.panache.Panache.getSession()
                        .chain(s -> s.refresh(user, jakarta.persistence.LockModeType.PESSIMISTIC_READ)).replaceWith(user)
                : Uni.createFrom().item(user);
        return fresh.chain(u -> {
            if (u.banned()) {
                metrics.signIn(false, "oauth");
                return Uni.createFrom().failure(UserService.banned());
            }
            metrics.signIn(true, "oauth");
            return sessions.open(u, ip, userAgent);
        });
    }

    /** Unlinks one of the caller's accounts, unless it is the only way left to sign in. */
    @WithTransaction
    public Uni<Void> unlink(UUID userId, UUID accountId) {
        return accounts.findById(accountId).chain(a -> {
            if (a == null || !a.userId.equals(userId)) {
                return Uni.createFrom().failure(ProblemException.notFound("No such linked account"));
            }
            return users.findById(userId).chain(u -> accounts.ofUser(userId).chain(all -> {
                if (u.passwordHash == null && all.size() <= 1) {
                    return Uni.createFrom().failure(ProblemException.conflict(
                            "This is your only way to sign in; set a password or link another account first"));
                }
                return accounts.delete(a).chain(() -> events.unlinked(userId, a.providerId, "user"));
            }));
        });
    }

    public Uni<List<Account>> linked(UUID userId) {
        return accounts.ofUser(userId);
    }

    private Uni<String> exchange(AuthConfig.OAuth.Provider p, Discovery d, String code, Pending pending) {
        MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "authorization_code").add("code", code)
                .add("redirect_uri", pending.redirectUri()).add("code_verifier", pending.verifier())
                .add("client_id", p.clientId());
        var req = http.postAbs(d.tokenEndpoint()).timeout(10_000).putHeader("Accept", "application/json");
        p.clientSecret().ifPresent(secret -> req.basicAuthentication(enc(p.clientId()), enc(secret)));
        return req.sendForm(form).onFailure().transform(e -> ProblemException.dependencyDown("identity provider", e))
                .map(r -> {
                    if (r.statusCode() != 200) {
                        LOG.infof("token endpoint of %s answered %d", d.issuer(), r.statusCode());
                        throw providerError("The identity provider refused the authorization code");
                    }
                    JsonObject body = r.bodyAsJsonObject();
                    String idToken = body == null ? null : body.getString("id_token");
                    if (idToken == null) {
                        throw providerError("The identity provider returned no ID token");
                    }
                    return idToken;
                });
    }

    private Uni<JWTClaimsSet> verifiedClaims(AuthConfig.OAuth.Provider p, Discovery d, String idToken, String nonce) {
        return http.getAbs(d.jwksUri()).timeout(10_000).send()
                .onFailure().transform(e -> ProblemException.dependencyDown("identity provider", e))
                .map(r -> IdTokens.verify(idToken, r.bodyAsString(), d.issuer(), p.clientId(), nonce, new Date()));
    }

    private Uni<Discovery> discover(String id, AuthConfig.OAuth.Provider p) {
        Discovery known = discovered.get(id);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        String issuer = p.issuer().endsWith("/") ? p.issuer().substring(0, p.issuer().length() - 1) : p.issuer();
        return http.getAbs(issuer + "/.well-known/openid-configuration").timeout(10_000).send()
                .onFailure().transform(e -> ProblemException.dependencyDown("identity provider", e))
                .map(r -> {
                    JsonObject o = r.statusCode() == 200 ? r.bodyAsJsonObject() : null;
                    if (o == null || o.getString("authorization_endpoint") == null
                            || o.getString("token_endpoint") == null || o.getString("jwks_uri") == null) {
                        throw ProblemException.dependencyDown("identity provider (discovery)", null);
                    }
                    // OIDC Discovery 4.3: the document must name the issuer we asked (else it may be an impostor's)
                    String named = o.getString("issuer", "");
                    if (!issuer.equals(named.endsWith("/") ? named.substring(0, named.length() - 1) : named)) {
                        LOG.warnf("discovery of %s names issuer %s: refused", issuer, named);
                        throw ProblemException.dependencyDown("identity provider (issuer mismatch)", null);
                    }
                    try {
                        // a discovery document over https can still point to http endpoints: refuse those too
                        for (String k : List.of("authorization_endpoint", "token_endpoint", "jwks_uri")) {
                            IdTokens.requireHttps("discovered " + k, o.getString(k), config.requireHttps());
                        }
                    } catch (IllegalStateException e) {
                        LOG.warnf("discovery of %s: %s", issuer, e.getMessage());
                        throw ProblemException.dependencyDown("identity provider (insecure endpoint)", null);
                    }
                    Discovery d = new Discovery(named,
                            o.getString("authorization_endpoint"), o.getString("token_endpoint"),
                            o.getString("jwks_uri"));
                    discovered.put(id, d);
                    return d;
                });
    }

    private static Account newAccount(UUID userId, String providerId, String subject, String email, String scope) {
        Account a = new Account();
        a.id = UUID.randomUUID();
        a.userId = userId;
        a.providerId = providerId;
        a.accountId = subject;
        a.email = email == null ? null : Credentials.normalizeEmail(email);
        a.scope = scope;
        a.createdAt = Instant.now();
        return a;
    }

    static ProblemException providerError(String detail) {
        return new ProblemException(ProblemType.UNAUTHENTICATED, PROVIDER_ERROR, detail, null, null, null);
    }

    static ProblemException notLinked(String detail) {
        return new ProblemException(ProblemType.CONFLICT, NOT_LINKED, detail, null, null, null);
    }

    static ProblemException alreadyLinked(String detail) {
        return new ProblemException(ProblemType.CONFLICT, ALREADY_LINKED, detail, null, null, null);
    }

    private String randomToken() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }


    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String write(Pending p) {
        try {
            return json.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Pending read(String raw) {
        try {
            return json.readValue(raw, Pending.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
