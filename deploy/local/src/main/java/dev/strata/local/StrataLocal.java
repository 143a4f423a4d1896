package dev.strata.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.strata.testing.EmbeddedS3;
import dev.strata.testing.ManagedProcess;
import dev.strata.testing.Ports;
import dev.strata.testing.StrataServers;

/**
 * The one-command local stack: embedded PostgreSQL, Redis and S3 (data kept under a local directory across
 * restarts), then every service as its own JVM on its documented port. Ctrl-C stops everything, services first.
 * With {@code --sentinel} (or {@code STRATA_LOCAL_SENTINEL=true}) Redis runs as a Sentinel setup (master, replica,
 * three sentinels) and every service is configured for it ({@code QUARKUS_REDIS_CLIENT_TYPE=sentinel}, master name,
 * sentinel URIs): a local rehearsal of the production topology, where killing the master is survivable.
 */
public final class StrataLocal {

    record Service(String name, int port) {
    }

    static final List<Service> SERVICES = List.of(new Service("auth-service", 8081), new Service("kyc-service", 8082),
            new Service("settings-service", 8083), new Service("rates-service", 8084),
            new Service("storage-gateway", 8085));

    private final Path root;
    private final Path dataDir;
    private final boolean fresh;
    private final List<Service> selected;
    /**
     * What a service JVM gets (the manifests' JAVA_OPTS_APPEND says the same): a reactive service's live set is
     * small, so a capped heap, metaspace, code cache and thread stacks keep the resident set near 200 MB after load
     * (bench/run.sh prints it) instead of growing into whatever the heap default allows.
     */
    static final List<String> JVM_OPTIONS = List.of("-Xms32m", "-Xmx128m", "-Xss512k", "-XX:MaxMetaspaceSize=128m",
            "-XX:ReservedCodeCacheSize=64m", "-XX:MaxDirectMemorySize=64m", "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError");

    private final boolean sentinel;
    private final List<ManagedProcess> running = new ArrayList<>();
    private StrataServers servers;

    /** One service at a time, each ready before the next starts: start-up times measured alone (bench/run.sh). */
    private boolean sequential;

    StrataLocal(Path root, Path dataDir, boolean fresh, List<Service> selected, boolean sentinel) {
        this.root = root;
        this.dataDir = dataDir;
        this.fresh = fresh;
        this.selected = selected;
        this.sentinel = sentinel;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("strata.root", ".")).toAbsolutePath().normalize();
        Path dataDir = root.resolve(".strata-data");
        boolean fresh = false;
        boolean sentinel = "true".equalsIgnoreCase(System.getenv("STRATA_LOCAL_SENTINEL"));
        List<Service> selected = SERVICES;
        boolean sequential = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(args[++i]).toAbsolutePath();
                case "--fresh" -> fresh = true;
                case "--sequential" -> sequential = true;
                case "--sentinel" -> sentinel = true;
                case "--only" -> {
                    List<String> names = Arrays.asList(args[++i].split(","));
                    selected = SERVICES.stream().filter(s -> names.contains(s.name())).toList();
                    if (selected.size() != names.size()) {
                        die("--only takes service names among " + SERVICES.stream().map(Service::name).toList());
                    }
                }
                case "-h", "--help" -> {
                    System.out.println("usage: strata-local [--only svc,svc] [--data-dir DIR] [--fresh] [--sentinel] [--sequential]");
                    return;
                }
                default -> die("unknown argument: " + args[i]);
            }
        }
        if (fresh) {
            dataDir = Files.createTempDirectory("strata-local-");
        }
        StrataLocal local = new StrataLocal(root, dataDir, fresh, selected, sentinel);
        local.sequential = sequential;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.stop();
            stopped.countDown();
        }, "strata-local-stop"));
        try {
            local.start();
        } catch (Exception e) {
            System.err.println("start-up failed: " + e.getMessage());
            System.exit(1);
        }
        // the shutdown hook does the work; the main thread just stays alive until then
        stopped.await();
    }

    void start() throws Exception {
        for (Service s : selected) {
            Path jar = jarOf(s);
            if (!Files.isRegularFile(jar)) {
                throw new IOException(jar + " is missing: build first (./mvnw -DskipTests package)");
            }
            if (Ports.isOpen("127.0.0.1", s.port())) {
                throw new IOException("port " + s.port() + " (" + s.name() + ") is already in use");
            }
        }
        Files.createDirectories(dataDir);
        log("data directory " + dataDir + (fresh ? " (fresh: removed on exit)" : " (kept across restarts)"));
        int pg = fresh ? 0 : envPort("STRATA_LOCAL_PG_PORT", 15432);
        int redis = fresh ? 0 : envPort("STRATA_LOCAL_REDIS_PORT", 16379);
        int s3 = fresh ? 0 : envPort("STRATA_LOCAL_S3_PORT", 19000);
        long t0 = System.nanoTime();
        // WAL archived into <data-dir>/backups/wal: deploy/backup restores the database to any point in time
        servers = StrataServers.create(new StrataServers.Options(dataDir, true, EmbeddedS3.Backend.FILESYSTEM, pg,
                redis, s3, sentinel)).archivePostgresWal();
        servers.start();
        log(String.format("stores up in %d ms: PostgreSQL %s, Redis %s%s, S3 %s", (System.nanoTime() - t0) / 1_000_000,
                servers.jdbcUrl(), sentinel ? "Sentinel (master '" + dev.strata.testing.EmbeddedSentinel.MASTER_NAME
                        + "') " : "", servers.redisUrl().replaceAll(":[^:@/,]+@", ":***@"), servers.s3Endpoint()));

        String internalToken = StrataServers.persistentSecret(dataDir, "internal-token");
        // kyc-service's own credential: storage-gateway lets only this caller use kyc-documents
        String kycToken = StrataServers.persistentSecret(dataDir, "internal-token-kyc");
        // settings-service's own credential at auth-service (who a user is: e-mail address, wallet owner)
        String settingsToken = StrataServers.persistentSecret(dataDir, "internal-token-settings");
        String[] sessionKeys = sessionSigningKeys();
        Path logs = dataDir.resolve("logs");
        Files.createDirectories(logs);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        for (Service s : selected) {
            Map<String, String> env = new LinkedHashMap<>(servers.environment(s.name()));
            env.put("QUARKUS_HTTP_PORT", Integer.toString(s.port()));
            env.put("STRATA_INTERNAL_TOKEN", internalToken);
            // a developer's machine: the Swagger UI the banner points at stays on
            env.put("QUARKUS_SWAGGER_UI_ENABLE", "true");
            // every service trusts only session records signed by auth-service's key
            env.put("STRATA_SESSIONS_VERIFY_KEYS", sessionKeys[1]);
            if (s.name().equals("auth-service")) {
                env.put("STRATA_AUTH_SESSIONS_SIGNING_KEY", sessionKeys[0]);
            }
            env.putAll(serviceSpecific(s, kycToken));
            if (s.name().equals("auth-service")) {
                env.put("STRATA_INTERNAL_CALLERS_SETTINGS", settingsToken);
            }
            if (s.name().equals("settings-service")) {
                env.put("STRATA_SETTINGS_AUTH_URL", "http://127.0.0.1:8081");
                env.put("STRATA_SETTINGS_AUTH_TOKEN", settingsToken);
                // no mail server runs locally: notification e-mails are written to logs/settings-service.log
                env.put("QUARKUS_MAILER_MOCK", "true");
            }
            if (s.name().equals("storage-gateway")) {
                env.put("STRATA_INTERNAL_CALLERS_KYC", kycToken);
                // the local S3 (S3Proxy on the file system) cannot encrypt at rest; production MinIO/S3 must, and
                // there readiness is DOWN when it does not
                env.put("STRATA_STORAGE_REQUIRE_ENCRYPTION", "false");
            }
            List<String> cmd = new ArrayList<>(List.of(java.toString()));
            cmd.addAll(JVM_OPTIONS);
            // an AppCDS archive (built with -Dquarkus.package.jar.appcds.enabled=true, as bench/run.sh does) spares
            // loading and verifying the same classes at every start; a stale one is ignored by the JVM
            Path cds = jarOf(s).resolveSibling("app-cds.jsa");
            if (Files.isRegularFile(cds)) {
                cmd.add("-XX:SharedArchiveFile=" + cds);
            }
            cmd.addAll(List.of("-jar", jarOf(s).toString()));
            // glibc keeps one malloc arena per thread by default: native memory (argon2's 19 MiB blocks, Netty)
            // freed by one thread stays resident in its arena
            env.put("MALLOC_ARENA_MAX", "2");
            running.add(ManagedProcess.start(s.name(), cmd, root, logs.resolve(s.name() + ".log"), env));
            if (sequential) {
                awaitReady(http, s, running.get(running.size() - 1));
            }
        }
        if (!sequential) {
            for (int i = 0; i < selected.size(); i++) {
                awaitReady(http, selected.get(i), running.get(i));
            }
        }
        printBanner(logs);
    }

    private Map<String, String> serviceSpecific(Service s, String kycToken) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        // kyc-service reaches S3 only through the gateway, with the service credential; its identity-number key
        // is generated once per data directory so what was encrypted stays readable across restarts
        if (s.name().equals("kyc-service")) {
            env.put("STRATA_KYC_GATEWAY_URL", "http://127.0.0.1:8085");
            env.put("STRATA_KYC_GATEWAY_TOKEN", kycToken);
            env.put("STRATA_KYC_ENCRYPTION_KEYS", "local-1:" + persistentKey("kyc-encryption-key"));
        }
        // the display currencies are the ones rates-service has rates for
        if (s.name().equals("settings-service")) {
            env.put("STRATA_SETTINGS_CURRENCIES_RATES_URL", "http://127.0.0.1:8084");
        }
        // the local run works offline: rates come from the bundled snapshot in the real ECB format
        if (s.name().equals("rates-service")) {
            env.put("STRATA_RATES_PROVIDERS_ECB_URL", "classpath:feeds/eurofxref-daily.xml");
            env.put("STRATA_RATES_PROVIDERS_ER_API_ENABLED", "false");
        }
        // local cookies travel over plain http
        if (s.name().equals("auth-service")) {
            env.put("STRATA_AUTH_COOKIE_SECURE", "false");
            // codes sent before a restart stay checkable after it
            env.put("STRATA_AUTH_CODES_PEPPER", StrataServers.persistentSecret(dataDir, "codes-pepper"));
            // no mail server runs locally: e-mails (verification codes) are written to logs/auth-service.log
            env.put("QUARKUS_MAILER_MOCK", "true");
        }
        return env;
    }

    /**
     * The Ed25519 key pair that signs session records, made once per data directory (sessions survive restarts):
     * {@code [<kid>:<base64 PKCS#8 private>, <kid>:<base64 X.509 public>]}.
     */
    private String[] sessionSigningKeys() throws Exception {
        Path priv = dataDir.resolve("session-signing-key");
        Path pub = dataDir.resolve("session-verify-key");
        if (!Files.exists(priv) || !Files.exists(pub)) {
            java.security.KeyPair pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
            Files.writeString(priv, "local-1:" + b64.encodeToString(pair.getPrivate().getEncoded()));
            Files.setPosixFilePermissions(priv, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.writeString(pub, "local-1:" + b64.encodeToString(pair.getPublic().getEncoded()));
        }
        return new String[] {Files.readString(priv).trim(), Files.readString(pub).trim()};
    }

    /** 32 random bytes, base64, kept in the data directory (mode 600). */
    private String persistentKey(String name) throws IOException {
        Path f = dataDir.resolve(name);
        if (Files.exists(f)) {
            return Files.readString(f).trim();
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String encoded = java.util.Base64.getEncoder().encodeToString(key);
        Files.writeString(f, encoded);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return encoded;
    }

    private void awaitReady(HttpClient http, Service s, ManagedProcess p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(s.name() + " exited during start-up:\n" + p.tail());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    log(s.name() + " ready");
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException(s.name() + " not ready after 180 s:\n" + p.tail());
    }

    private void printBanner(Path logs) {
        StringBuilder b = new StringBuilder("\n");
        b.append(String.format("%-18s %-24s %s%n", "service", "url", "swagger ui"));
        for (Service s : selected) {
            String url = "http://localhost:" + s.port();
            b.append(String.format("%-18s %-24s %s%n", s.name(), url, url + "/q/swagger-ui"));
        }
        b.append("\nhealth: /q/health/ready   metrics: /q/metrics   openapi: /q/openapi   logs: ").append(logs)
                .append('\n');
        if (selected.stream().anyMatch(s -> s.name().equals("auth-service"))) {
            b.append("""

                    try it:
                      curl -s -X POST localhost:8081/api/users -H 'Content-Type: application/json' \\
                           -d '{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}'
                      TOKEN=$(curl -s -X POST localhost:8081/api/sessions -H 'Content-Type: application/json' \\
                           -d '{"email":"ada@example.com","password":"correct horse battery"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')
                      curl -s localhost:8081/api/sessions/current -H "Authorization: Bearer $TOKEN"
                    """);
        }
        if (selected.stream().anyMatch(s -> s.name().equals("kyc-service"))) {
            b.append("""
                      curl -s -X POST localhost:8082/api/kyc/applications -H "Authorization: Bearer $TOKEN" \\
                           -H 'Content-Type: application/json' -d '{"applicantType":"individual"}'
                      curl -s localhost:8082/api/kyc/status -H "Authorization: Bearer $TOKEN"
                    """);
        }
        if (selected.stream().anyMatch(s -> s.name().equals("rates-service"))) {
            b.append("  curl -s localhost:8084/api/rates/EUR/USD\n");
        }
        if (selected.stream().anyMatch(s -> s.name().equals("auth-service"))) {
            b.append("\ne-mails (verification codes) are not sent locally: they are logged in "
                    + logs.resolve("auth-service.log") + "\n");
            b.append("first admin: verify your e-mail, then POST /api/admin/bootstrap {\"token\": ...} with the"
                    + " one-time token printed in " + logs.resolve("auth-service.log") + " at the first start\n");
        }
        b.append("\nCtrl-C stops everything. STRATA READY\n");
        System.out.println(b);
        System.out.flush();
    }

    synchronized void stop() {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).stop();
        }
        running.clear();
        if (servers != null) {
            servers.stop();
            servers = null;
            if (fresh) {
                deleteTree(dataDir);
            }
            log("stopped");
        }
    }

    private static void deleteTree(Path dir) {
        try (var all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir: the OS cleans it eventually
        }
    }

    private Path jarOf(Service s) {
        return root.resolve(s.name()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static int envPort(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    private static void log(String msg) {
        System.out.println("[strata-local] " + msg);
        System.out.flush();
    }

    private static void die(String msg) {
        System.err.println(msg);
        System.exit(2);
    }
}
