package dev.strata.settings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.strata.testing.StrataServers;

/**
 * A stand-in for auth-service's internal user API (a peer service, not a store): {@code GET /internal/users/{id}}
 * and {@code GET /internal/users/by-wallet/{address}}, answering from what a test put in {@link #users} and
 * {@link #wallets}, with auth-service's status codes and bearer check. auth-service's own tests
 * (InternalUsersTest) prove the real endpoints answer the same way. Also starts the shared real stores.
 */
public class AuthStandIn implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "stand-in-settings-credential-0123456789";

    /** user id → {email, emailVerified}. */
    public static final Map<String, Map<String, Object>> users = new ConcurrentHashMap<>();
    /** lowercase wallet address → user id. */
    public static final Map<String, String> wallets = new ConcurrentHashMap<>();
    /** Requests answered, to prove the service caches. */
    public static final AtomicInteger requests = new AtomicInteger();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/internal/users/", this::handle);
        server.start();
        Map<String, String> config = new LinkedHashMap<>(StrataServers.shared().quarkusConfig());
        config.put("strata.settings.auth.url", "http://127.0.0.1:" + server.getAddress().getPort());
        config.put("strata.settings.auth.token", TOKEN);
        return config;
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        String path = x.getRequestURI().getPath();
        if (!("Bearer " + TOKEN).equals(x.getRequestHeaders().getFirst("Authorization"))) {
            send(x, 401, "{\"status\":401}");
            return;
        }
        String rest = path.substring("/internal/users/".length());
        if (rest.startsWith("by-wallet/")) {
            String address = rest.substring("by-wallet/".length()).toLowerCase(Locale.ROOT);
            String owner = wallets.get(address);
            send(x, owner == null ? 404 : 200, owner == null ? "{\"status\":404}"
                    : "{\"userId\":\"" + owner + "\",\"address\":\"" + address + "\"}");
            return;
        }
        Map<String, Object> u = users.get(rest);
        if (u == null) {
            send(x, 404, "{\"status\":404}");
            return;
        }
        send(x, 200, "{\"id\":\"" + rest + "\",\"email\":\"" + u.get("email") + "\",\"emailVerified\":"
                + u.get("emailVerified") + "}");
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", status == 200 ? "application/json" : "application/problem+json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
