package dev.strata.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A built Quarkus service ({@code target/quarkus-app/quarkus-run.jar}) run as a child JVM behind the same watchdog as
 * the stores, so it never outlives the test JVM. Its ports (HTTP and the management interface, which serves
 * {@code /q/health} and {@code /q/metrics}) are chosen once and kept across {@link #stop()} and {@link #start()}, so
 * URLs handed to the service under test stay valid through an outage, and two processes of one service never collide.
 */
public final class ServiceProcess {

    private final String name;
    private final Path jar;
    private final Map<String, String> env;
    private final int port;
    private final int managementPort;
    private final Path log;
    private ManagedProcess process;

    public ServiceProcess(String name, Path jar, Map<String, String> env, Path logDir) {
        this.name = name;
        this.jar = jar;
        this.port = Ports.free();
        int mp = Ports.free();
        while (mp == port) {
            mp = Ports.free();
        }
        this.managementPort = mp;
        this.env = new LinkedHashMap<>(env);
        this.env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        this.env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        this.log = logDir.resolve(name + ".log");
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The management interface: {@code /q/health/*} and {@code /q/metrics}. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public int managementPort() {
        return managementPort;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the service and waits (at most 90 s) until {@code /q/health/ready} (management port) answers 200. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // small and quick to start: it serves a test, not production traffic
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        try {
            process = ManagedProcess.start(name, cmd, jar.getParent(), log, env);
            awaitReady();
        } catch (IOException e) {
            stop();
            throw new IllegalStateException(name + " did not start: " + e.getMessage(), e);
        }
    }

    public synchronized void stop() {
        if (process != null) {
            process.stop();
            process = null;
        }
    }

    private void awaitReady() throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited during start-up:\n" + process.tail());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + name, e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + name, e);
            }
        }
        throw new IOException(name + " not ready after 90 s:\n" + process.tail());
    }

    /** {@code <module>/target/quarkus-app/quarkus-run.jar}, from a system property or found upwards from user.dir. */
    public static Path builtJar(String module) {
        String property = System.getProperty("strata." + module + ".jar");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        Path rel = Path.of(module, "target", "quarkus-app", "quarkus-run.jar");
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(rel))) {
                return dir.resolve(rel);
            }
        }
        throw new IllegalStateException(rel + " not found: build " + module
                + " first (./mvnw verify builds the reactor in order)");
    }
}
