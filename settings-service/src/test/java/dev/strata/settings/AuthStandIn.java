package dev.strata.settings;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.json.JsonObject;

import dev.strata.testing.StrataServers;

/**
 * A stand-in for the peer auth-service's internal user API (a service, not a store; auth-service owns the users):
 * {@code GET /internal/users/{id}} → {@code {id, email, emailVerified}} and
 * {@code GET /internal/users/by-wallet/{address}} → {@code {userId, address}}, 404 when unknown, 401 without the
 * bearer credential — auth-service's own InternalUsersTest proves the real endpoints answer the same way. It
 * answers from what tests declared with {@link #user} and {@link #wallet}. One per JVM.
 */
public final class AuthStandIn {

    public static final String TOKEN = "test-settings-at-auth-0123456789abcdef";

    private static HttpServer server;
    private static final Map<String, JsonObject> USERS = new ConcurrentHashMap<>();
    private static final Map<String, String> WALLETS = new ConcurrentHashMap<>();

    private AuthStandIn() {
    }

    /** What auth-service says about this user from now on. */
    public static void user(String id, String email, boolean verified) {
        USERS.put(id, new JsonObject().put("id", id).put("email", email).put("emailVerified", verified));
    }

    /** Who owns this wallet from now on. */
    public static void wallet(String address, String userId) {
        WALLETS.put(address.toLowerCase(Locale.ROOT), userId);
    }

    public static synchronized String url() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/internal/users/", AuthStandIn::handle);
            server.start();
            HttpServer s = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> s.stop(0)));
        }
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void handle(HttpExchange x) throws IOException {
        String auth = String.valueOf(x.getRequestHeaders().getFirst("Authorization"));
        String rest = x.getRequestURI().getPath().substring("/internal/users/".length());
        int status;
        String body;
        if (!MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8),
                ("Bearer " + TOKEN).getBytes(StandardCharsets.UTF_8))) {
            status = 401;
            body = "{\"status\":401}";
        } else if (!"GET".equals(x.getRequestMethod())) {
            status = 405;
            body = "{\"status\":405}";
        } else if (rest.startsWith("by-wallet/")) {
            String address = rest.substring("by-wallet/".length()).toLowerCase(Locale.ROOT);
            String owner = WALLETS.get(address);
            status = owner == null ? 404 : 200;
            body = owner == null ? "{\"status\":404}"
                    : new JsonObject().put("userId", owner).put("address", address).encode();
        } else if (USERS.containsKey(rest)) {
            status = 200;
            body = USERS.get(rest).encode();
        } else {
            status = 404;
            body = "{\"status\":404}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "application/problem+json");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Quarkus test resource: the shared real stores, and settings-service pointed at the stand-in. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new LinkedHashMap<>(StrataServers.shared().quarkusConfig());
            config.putAll(config());
            return config;
        }

        @Override
        public void stop() {
            // lives as long as the JVM
        }
    }

    /** The settings-service configuration that points at the stand-in. */
    public static Map<String, String> config() {
        return Map.of("strata.settings.auth.url", url(), "strata.settings.auth.token", TOKEN);
    }
}
