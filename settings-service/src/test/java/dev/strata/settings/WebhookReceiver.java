package dev.strata.settings;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local webhook receiver (JDK HttpServer on 127.0.0.1): each path {@code /hooks/<name>} answers the statuses
 * scripted for it in turn (the last one repeats) and records what it received. Signatures are verified with
 * this class's own HMAC code, not the service's.
 */
final class WebhookReceiver {

    record Received(String path, String id, String timestamp, String signature, String contentType, String host,
            String body, long atNanos) {
    }

    record Answer(int status, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final Map<String, List<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();

    WebhookReceiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/hooks/", this::handle);
        server.start();
    }

    void stop() {
        server.stop(0);
    }

    /** What {@code /hooks/<name>} answers, request after request; the last answer repeats. */
    void script(String name, Answer... answers) {
        scripts.put(name, new CopyOnWriteArrayList<>(List.of(answers)));
    }

    static Answer status(int status) {
        return new Answer(status, Map.of());
    }

    List<Received> received(String name) {
        return List.copyOf(received.getOrDefault(name, List.of()));
    }

    /** Waits (bounded) until {@code name} received at least {@code n} requests. */
    List<Received> await(String name, int n, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (received(name).size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return received(name);
    }

    private void handle(HttpExchange x) throws IOException {
        String name = x.getRequestURI().getPath().substring("/hooks/".length());
        byte[] body;
        try (InputStream in = x.getRequestBody()) {
            body = in.readAllBytes();
        }
        var h = x.getRequestHeaders();
        received.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(new Received(
                x.getRequestURI().toString(), h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                h.getFirst("webhook-signature"), h.getFirst("content-type"), h.getFirst("host"),
                new String(body, StandardCharsets.UTF_8), System.nanoTime()));
        List<Answer> script = scripts.getOrDefault(name, List.of(status(200)));
        Answer a = script.size() > 1 ? script.remove(0) : script.get(0);
        a.headers().forEach((k, v) -> x.getResponseHeaders().add(k, v));
        x.sendResponseHeaders(a.status(), -1);
        x.close();
    }

    // --- an independent Standard Webhooks verifier ------------------------------------------------------------

    /** The {@code v1,} signatures of the header that verify under {@code secret} (constant-time comparison). */
    static List<String> validSignatures(Received r, String secret) {
        try {
            byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((r.id() + "." + r.timestamp() + "." + r.body())
                    .getBytes(StandardCharsets.UTF_8));
            List<String> ok = new ArrayList<>();
            for (String entry : r.signature().split(" ")) {
                if (entry.startsWith("v1,") && MessageDigest.isEqual(expected,
                        Base64.getDecoder().decode(entry.substring(3)))) {
                    ok.add(entry);
                }
            }
            return ok;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean verifies(Received r, String secret) {
        return !validSignatures(r, secret).isEmpty()
                && Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(r.timestamp())) <= 300;
    }
}
