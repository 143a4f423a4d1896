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
 * reactor just built everything): every service must become ready with metrics and OpenAPI, and SIGTERM must
 * leave no process behind.
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
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), s.name() + ": " + health.body());
                assertTrue(health.body().contains("\"UP\""), health.body());
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                        .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.body().contains("# TYPE"), s.name() + " metrics not Prometheus text");
                HttpResponse<String> openapi = http.send(HttpRequest.newBuilder(URI.create(base + "/q/openapi"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, openapi.statusCode());
                assertTrue(openapi.body().contains("openapi:"), s.name());
            }
            kycAcrossServices(http);
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

    private static HttpResponse<String> post(HttpClient http, String url, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
