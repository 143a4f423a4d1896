package dev.strata.settings.service;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.strata.settings.config.SettingsConfig;

/**
 * Who a user is, asked of auth-service's internal API with this service's credential:
 * {@code GET /internal/users/{id}} → {@code {id, email, emailVerified}} and
 * {@code GET /internal/users/by-wallet/{address}} → {@code {userId}} (404: nobody). Answers, including "nobody",
 * are kept for {@code strata.settings.auth.cache-ttl}; a failure (auth down, timeout) is a failed Uni, so the
 * caller's event is retried rather than dropped.
 */
@ApplicationScoped
public class AuthDirectory {

    /** A user as auth-service knows them. */
    public record User(UUID id, String email, boolean emailVerified) {
    }

    private record Cached<T>(Optional<T> value, long until) {
    }

    private final SettingsConfig.Auth config;
    private final WebClient http;
    private final ConcurrentHashMap<UUID, Cached<User>> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Cached<UUID>> wallets = new ConcurrentHashMap<>();

    public AuthDirectory(SettingsConfig config, Vertx vertx) {
        this.config = config.auth();
        this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2000)
                .setUserAgent("strata-settings-service"));
    }

    public boolean configured() {
        return config.url().isPresent() && config.token().isPresent();
    }

    public Uni<Optional<User>> user(UUID id) {
        return cached(users, id, "/internal/users/" + id, body -> new User(UUID.fromString(body.getString("id")),
                body.getString("email"), Boolean.TRUE.equals(body.getBoolean("emailVerified"))));
    }

    /** The user owning a wallet address (compared case-insensitively, as EVM addresses are). */
    public Uni<Optional<UUID>> walletOwner(String address) {
        String key = address.toLowerCase(java.util.Locale.ROOT);
        return cached(wallets, key, "/internal/users/by-wallet/" + URLEncoder.encode(key, StandardCharsets.UTF_8),
                body -> UUID.fromString(body.getString("userId")));
    }

    private <K, T> Uni<Optional<T>> cached(ConcurrentHashMap<K, Cached<T>> cache, K key, String path,
            java.util.function.Function<JsonObject, T> read) {
        Cached<T> hit = cache.get(key);
        long now = System.nanoTime();
        if (hit != null && hit.until() - now > 0) {
            return Uni.createFrom().item(hit.value());
        }
        if (!configured()) {
            return Uni.createFrom().failure(new IllegalStateException("strata.settings.auth.url/token not configured"));
        }
        return http.getAbs(config.url().get().replaceAll("/+$", "") + path)
                .bearerTokenAuthentication(config.token().get())
                .timeout(config.timeout().toMillis()).send()
                .ifNoItem().after(config.timeout().plusSeconds(1)).fail()
                .map(r -> {
                    Optional<T> value;
                    if (r.statusCode() == 200) {
                        value = Optional.of(read.apply(r.bodyAsJsonObject()));
                    } else if (r.statusCode() == 404) {
                        value = Optional.empty();
                    } else {
                        throw new IllegalStateException("auth-service answered " + r.statusCode() + " for " + path);
                    }
                    if (cache.size() >= config.cacheMaxEntries()) {
                        cache.clear();
                    }
                    cache.put(key, new Cached<>(value, System.nanoTime() + config.cacheTtl().toNanos()));
                    return value;
                });
    }

    /** Forgets what is known of a user (e.g. after {@code accounts.*} events that may change the address). */
    public void forget(UUID id) {
        users.remove(id);
    }
}
