package dev.strata.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Runs the README's run command for real ({@code deploy/local/strata-local}, without its build step since the
 * reactor just built everything): every service must become ready with metrics and OpenAPI, the one-origin gateway
 * must route the Ingress's paths (and nothing else), a code auth-service mails must be readable from the mail sink,
 * and SIGTERM must leave no process behind.
 */
class StrataLocalIT {

    @Test
    void wholeSuiteComesUpAndStopsWithoutLeftovers() throws Exception {
        Path root = Path.of(System.getProperty("strata.root", "../..")).toAbsolutePath().normalize();
        Process launcher = new ProcessBuilder(root.resolve("deploy/local/strata-local").toString(), "--no-build",
                "--fresh").directory(root.toFile()).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                boolean seen = false;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    seen |= line.contains("STRATA READY");
                    if (seen) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
        List<ProcessHandle> tree;
        try {
            assertTrue(ready.get(300, TimeUnit.SECONDS), () -> "launcher never got ready:\n" + output);
            HttpClient http = HttpClient.newHttpClient();
            for (StrataLocal.Service s : StrataLocal.SERVICES) {
                String base = "http://127.0.0.1:" + s.port();
                // health and metrics are on the management interface (port + 1000), not on the service port
                String management = "http://127.0.0.1:" + s.managementPort();
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(management + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), s.name() + ": " + health.body());
                assertTrue(health.body().contains("\"UP\""), health.body());
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics"))
                        .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.body().contains("# TYPE"), s.name() + " metrics not Prometheus text");
                HttpResponse<String> openapi = http.send(HttpRequest.newBuilder(URI.create(base + "/q/openapi"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, openapi.statusCode());
                assertTrue(openapi.body().contains("openapi:"), s.name());
                for (String moved : List.of("/q/health/ready", "/q/metrics")) {
                    HttpResponse<String> main = http.send(HttpRequest.newBuilder(URI.create(base + moved)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(404, main.statusCode(), s.name() + ": " + moved + " on the service port");
                }
            }
            kycAcrossServices(http);
            gatewayAndSinks(http);
            tree = launcher.descendants().toList();
            assertTrue(tree.size() >= 8, "expected stores and services as children, got " + tree.size());
        } finally {
            launcher.destroy(); // SIGTERM, like a service manager; Ctrl-C takes the same path
            if (!launcher.waitFor(60, TimeUnit.SECONDS)) {
                launcher.descendants().forEach(ProcessHandle::destroyForcibly);
                launcher.destroyForcibly();
            }
        }
        for (ProcessHandle h : tree) {
            h.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(h.isAlive(), "left behind: " + h.info().commandLine().orElse("?"));
        }
    }

    /**
     * The services are wired to each other: a user signed up and in at auth-service starts a KYC application, and
     * kyc-service gets a presigned upload from storage-gateway with its service credential.
     */
    private static void kycAcrossServices(HttpClient http) throws Exception {
        String email = "kyc-" + System.nanoTime() + "@example.com";
        String creds = "{\"email\":\"" + email + "\",\"password\":\"correct horse battery staple\"}";
        HttpResponse<String> signUp = post(http, "http://127.0.0.1:8081/api/users", null,
                creds.replace("}", ",\"name\":\"Kay\"}"));
        assertEquals(201, signUp.statusCode(), signUp.body());
        HttpResponse<String> signIn = post(http, "http://127.0.0.1:8081/api/sessions", null, creds);
        assertEquals(201, signIn.statusCode(), signIn.body());
        String token = signIn.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        HttpResponse<String> app = post(http, "http://127.0.0.1:8082/api/kyc/applications", token,
                "{\"applicantType\":\"individual\"}");
        assertEquals(201, app.statusCode(), app.body());
        String id = app.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        HttpResponse<String> doc = post(http, "http://127.0.0.1:8082/api/kyc/applications/" + id + "/documents", token,
                "{\"documentType\":\"selfie\",\"fileName\":\"me.png\",\"contentType\":\"image/png\",\"size\":1000}");
        assertEquals(201, doc.statusCode(), doc.body());
        assertTrue(doc.body().contains("\"upload\""), doc.body());
    }

    /**
     * Through the gateway on 8080 only: a path of every service answers from that service, {@code /internal/*},
     * {@code /q/*} and dot-segment tricks are 404 at the gateway, the WebSocket upgrade reaches settings-service,
     * and the e-mail and SMS codes auth-service sends can be read back from the sinks (the e-mail one verifies).
     */
    private static void gatewayAndSinks(HttpClient http) throws Exception {
        String gw = "http://127.0.0.1:8080";
        HttpResponse<String> health = get(http, gw + "/healthz", null);
        assertEquals(200, health.statusCode(), health.body());

        String email = "gw-" + System.nanoTime() + "@example.com";
        String creds = "{\"email\":\"" + email + "\",\"password\":\"correct horse battery staple\"}";
        HttpResponse<String> signUp = post(http, gw + "/api/users", null, creds.replace("}", ",\"name\":\"Gw\"}"));
        assertEquals(201, signUp.statusCode(), "auth-service via gateway: " + signUp.body());
        HttpResponse<String> signIn = post(http, gw + "/api/sessions", null, creds);
        assertEquals(201, signIn.statusCode(), signIn.body());
        assertTrue(signIn.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.contains("HttpOnly")),
                "the session cookie passes the gateway: " + signIn.headers().map());
        String token = signIn.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");

        HttpResponse<String> kyc = get(http, gw + "/api/kyc/status", token);
        assertEquals(200, kyc.statusCode(), "kyc-service via gateway: " + kyc.body());
        HttpResponse<String> settings = get(http, gw + "/api/settings/me", token);
        assertEquals(200, settings.statusCode(), "settings-service via gateway: " + settings.body());
        HttpResponse<String> rates = get(http, gw + "/api/rates/EUR/USD", null);
        assertEquals(200, rates.statusCode(), "rates-service via gateway: " + rates.body());
        HttpResponse<String> upload = post(http, gw + "/api/uploads", token,
                "{\"fileName\":\"a.png\",\"contentType\":\"image/png\",\"size\":1000}");
        assertEquals(201, upload.statusCode(), "storage-gateway via gateway: " + upload.body());

        for (String path : List.of("/internal/users/x", "/q/health/ready", "/api/kyc/../../internal/kyc/users/x/status",
                "/api/kyc/%2e%2e/%2e%2e/internal/kyc/users/x/status", "/api/usersx", "/")) {
            HttpResponse<String> r = get(http, gw + path, token);
            assertEquals(404, r.statusCode(), path + ": " + r.body());
            assertTrue(r.body().contains("No API route"), path + " answered by a service: " + r.body());
        }

        // the WebSocket upgrade passes (settings-service's push stream)
        CompletableFuture<String> first = new CompletableFuture<>();
        java.net.http.WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:8080/api/notifications/stream"),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket s,
                                    CharSequence data, boolean last) {
                                first.complete(data.toString());
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        assertTrue(first.get(10, TimeUnit.SECONDS).contains("\"ready\""));
        ws.abort();

        // e-mail: a real SMTP round trip into the sink, and the code read there verifies the address
        HttpResponse<String> send = post(http, gw + "/api/verifications", token, "{\"channel\":\"email\"}");
        assertEquals(202, send.statusCode(), send.body());
        String code = awaitCode(http, "http://127.0.0.1:8025/mail?subject=verification&to=" + email);
        HttpResponse<String> check = post(http, gw + "/api/verifications/checks", token,
                "{\"channel\":\"email\",\"code\":\"" + code + "\"}");
        assertEquals(204, check.statusCode(), check.body());

        // SMS: auth-service's provider call lands in the sink
        String phone = "+49151" + (1000000 + Math.floorMod(System.nanoTime(), 8999999L));
        HttpResponse<String> sms = post(http, gw + "/api/verifications", token,
                "{\"channel\":\"phone\",\"phone\":\"" + phone + "\"}");
        assertEquals(202, sms.statusCode(), sms.body());
        awaitCode(http, "http://127.0.0.1:8025/sms?to=" + java.net.URLEncoder.encode(phone, StandardCharsets.UTF_8));
    }

    /** Polls a sink until a six-digit code shows up (delivery is asynchronous), and returns the last one. */
    private static String awaitCode(HttpClient http, String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String body = "";
        while (System.nanoTime() < deadline) {
            body = get(http, url, null).body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("code is (\\d{6})").matcher(body);
            String code = null;
            while (m.find()) {
                code = m.group(1);
            }
            if (code != null) {
                return code;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no code at " + url + ": " + body);
    }

    private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
