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
 * restarts), then every service as its own JVM on its documented port, with its management interface (health,
 * metrics) on that port + 1000 (9081-9085). Ctrl-C stops everything, services first.
 * With {@code --sentinel} (or {@code STRATA_LOCAL_SENTINEL=true}) Redis runs as a Sentinel setup (master, replica,
 * three sentinels) and every service is configured for it ({@code QUARKUS_REDIS_CLIENT_TYPE=sentinel}, master name,
 * sentinel URIs): a local rehearsal of the production topology, where killing the master is survivable.
 * <p>
 * Besides the services: a gateway on one port (8080) routing the Ingress's {@code /api/<prefix>} paths to them (one
 * origin for a browser app, see {@link LocalGateway}), and sinks for what the services send (see {@link LocalSinks}):
 * a real SMTP server (3025) whose mail is read over HTTP (8025), and an SMS provider stand-in on that same port.
 */
public final class StrataLocal {

    record Service(String name, int port) {

        /** The management interface ({@code /q/health/*}, {@code /q/metrics}): the HTTP port + 1000, as in the
         * service's application.properties ({@code quarkus.management.port}). */
        int managementPort() {
            return port + 1000;
        }
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

    /** The session cookie's name on the local run: {@code __Host-} needs Secure, which plain http cannot keep. */
    static final String LOCAL_COOKIE_NAME = "strata_session";

    private int gatewayPort = envPort("STRATA_LOCAL_GATEWAY_PORT", 8080);
    private int smtpPort = envPort("STRATA_LOCAL_SMTP_PORT", 3025);
    private int sinkPort = envPort("STRATA_LOCAL_SINK_PORT", 8025);
    private io.vertx.core.Vertx vertx;
    private LocalGateway gateway;
    private LocalSinks sinks;

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
        Integer gatewayPort = null;
        Integer smtpPort = null;
        Integer sinkPort = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(args[++i]).toAbsolutePath();
                case "--fresh" -> fresh = true;
                case "--sequential" -> sequential = true;
                case "--sentinel" -> sentinel = true;
                case "--gateway-port" -> gatewayPort = Integer.parseInt(args[++i]);
                case "--smtp-port" -> smtpPort = Integer.parseInt(args[++i]);
                case "--sink-port" -> sinkPort = Integer.parseInt(args[++i]);
                case "--only" -> {
                    List<String> names = Arrays.asList(args[++i].split(","));
                    selected = SERVICES.stream().filter(s -> names.contains(s.name())).toList();
                    if (selected.size() != names.size()) {
                        die("--only takes service names among " + SERVICES.stream().map(Service::name).toList());
                    }
                }
                case "-h", "--help" -> {
                    System.out.println("usage: strata-local [--only svc,svc] [--data-dir DIR] [--fresh] [--sentinel]"
                            + " [--sequential] [--gateway-port 8080] [--smtp-port 3025] [--sink-port 8025]");
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
        if (gatewayPort != null) {
            local.gatewayPort = gatewayPort;
        }
        if (smtpPort != null) {
            local.smtpPort = smtpPort;
        }
        if (sinkPort != null) {
            local.sinkPort = sinkPort;
        }
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
            if (Ports.isOpen("127.0.0.1", s.managementPort())) {
                throw new IOException("port " + s.managementPort() + " (" + s.name() + " management) is already in use");
            }
        }
        for (var p : Map.of("gateway", gatewayPort, "SMTP sink", smtpPort, "mail/SMS sink", sinkPort).entrySet()) {
            if (Ports.isOpen("127.0.0.1", p.getValue())) {
                throw new IOException("port " + p.getValue() + " (" + p.getKey() + ") is already in use");
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

        startSinksAndGateway();

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
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(s.managementPort()));
            env.put("STRATA_INTERNAL_TOKEN", internalToken);
            // a developer's machine: the Swagger UI the banner points at stays on
            env.put("QUARKUS_SWAGGER_UI_ENABLE", "true");
            // every service trusts only session records signed by auth-service's key
            env.put("STRATA_SESSIONS_VERIFY_KEYS", sessionKeys[1]);
            // plain http: a cookie name without the __Host- prefix (which requires Secure), read by every service
            env.put("STRATA_SESSIONS_COOKIE_NAME", LOCAL_COOKIE_NAME);
            // the local gateway connects from loopback: its X-Forwarded-For names the real client (rate limits)
            env.put("STRATA_HTTP_TRUSTED_PROXIES", "127.0.0.1/32");
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
                env.putAll(mailer());
            }
            if (s.name().equals("storage-gateway")) {
                env.put("STRATA_INTERNAL_CALLERS_KYC", kycToken);
                // the local S3 (S3Proxy on the file system) cannot encrypt at rest; production MinIO/S3 must, and
                // there readiness is DOWN when it does not
                env.put("STRATA_STORAGE_REQUIRE_ENCRYPTION", "false");
            }
            List<String> cmd = new ArrayList<>(List.of(java.toString()));
            cmd.addAll(JVM_OPTIONS);
            // names the process (its command line no longer carries the jar's path): bench/run.sh finds it for RSS
            cmd.add("-Dstrata.service=" + s.name());
            // an AppCDS archive (built with -Dquarkus.package.jar.appcds.enabled=true, as bench/run.sh does) spares
            // loading and verifying the same classes at every start; a stale one is ignored by the JVM. The archive
            // records the class path as Quarkus ran it (quarkus-run.jar, relative): so the JVM runs from that directory
            Path app = jarOf(s).getParent();
            if (Files.isRegularFile(app.resolve("app-cds.jsa"))) {
                cmd.add("-XX:SharedArchiveFile=app-cds.jsa");
            }
            cmd.addAll(List.of("-jar", "quarkus-run.jar"));
            // glibc keeps one malloc arena per thread by default: native memory (argon2's 19 MiB blocks, Netty)
            // freed by one thread stays resident in its arena
            env.put("MALLOC_ARENA_MAX", "2");
            running.add(ManagedProcess.start(s.name(), cmd, app, logs.resolve(s.name() + ".log"), env));
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
            // passkeys from a page on the gateway's origin or auth-service's own (both localhost, the RP id)
            env.put("STRATA_AUTH_PASSKEYS_ORIGINS", "http://localhost:" + gatewayPort + ",http://localhost:8081");
            // codes sent before a restart stay checkable after it
            env.put("STRATA_AUTH_CODES_PEPPER", StrataServers.persistentSecret(dataDir, "codes-pepper"));
            // e-mails (verification codes) go to the local SMTP sink, text messages to the SMS sink
            env.putAll(mailer());
            env.put("STRATA_AUTH_SMS_URL", "http://127.0.0.1:" + sinkPort + "/sms");
        }
        return env;
    }

    /** The services' mailer talks to the local SMTP sink: plain SMTP on loopback, no login. */
    private Map<String, String> mailer() {
        return Map.of("QUARKUS_MAILER_MOCK", "false", "QUARKUS_MAILER_HOST", "127.0.0.1", "QUARKUS_MAILER_PORT",
                Integer.toString(smtpPort), "QUARKUS_MAILER_START_TLS", "DISABLED", "QUARKUS_MAILER_TLS", "false");
    }

    /** The mail and SMS sinks, then the gateway (it answers 502 for a service until that one listens). */
    private void startSinksAndGateway() throws Exception {
        vertx = io.vertx.core.Vertx.vertx();
        sinks = new LocalSinks(vertx);
        sinks.start(smtpPort, sinkPort).toCompletionStage().toCompletableFuture().get(30,
                java.util.concurrent.TimeUnit.SECONDS);
        log("mail sink: SMTP 127.0.0.1:" + smtpPort + ", read at http://localhost:" + sinkPort
                + "/mail?to=<address>; SMS sink: http://localhost:" + sinkPort + "/sms");
        Map<String, Integer> ports = new LinkedHashMap<>();
        selected.forEach(s -> ports.put(s.name(), s.port()));
        gateway = new LocalGateway(vertx, ports);
        gateway.start("0.0.0.0", gatewayPort).toCompletionStage().toCompletableFuture().get(30,
                java.util.concurrent.TimeUnit.SECONDS);
        log("gateway: http://localhost:" + gatewayPort + " routes /api/<prefix> like the Ingress");
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
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.managementPort() + "/q/health/ready"))
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
        b.append(String.format("%-18s %-28s %-42s %s%n", "service", "url", "swagger ui", "management (health, metrics)"));
        for (Service s : selected) {
            String url = "http://localhost:" + s.port();
            b.append(String.format("%-18s %-28s %-42s %s%n", s.name(), url, url + "/q/swagger-ui",
                    "http://localhost:" + s.managementPort() + "/q"));
        }
        String gw = "localhost:" + gatewayPort;
        String sink = "localhost:" + sinkPort;
        b.append(String.format("%-18s %-28s %s%n", "gateway", "http://" + gw,
                "/api/<prefix> as on the Ingress (one origin for a frontend; /internal/* and /q/* not routed)"));
        b.append(String.format("%-18s %-28s %s%n", "mail sink", "http://" + sink + "/mail",
                "SMTP on 127.0.0.1:" + smtpPort + "; read: GET /mail?to=<address>, GET /mail/latest?to=<address>"));
        b.append(String.format("%-18s %-28s %s%n", "sms sink", "http://" + sink + "/sms",
                "auth-service's SMS provider; read: GET /sms?to=<number>"));
        b.append("\nmanagement port: /q/health/ready   /q/metrics   service port: /q/openapi   logs: ").append(logs)
                .append('\n');
        if (selected.stream().anyMatch(s -> s.name().equals("auth-service"))) {
            b.append("""

                    try it through the gateway, with a cookie jar (the session cookie is %s here, not Secure):
                      J=/tmp/strata-cookies; H='Content-Type: application/json'
                      curl -s -c $J -b $J %s/api/users -H "$H" \\
                           -d '{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}'
                      curl -s -c $J -b $J %s/api/sessions -H "$H" -d '{"email":"ada@example.com","password":"correct horse battery"}'
                      curl -s -c $J -b $J %s/api/verifications -H "$H" -d '{"channel":"email"}'
                      CODE=$(curl -s '%s/mail/latest?to=ada@example.com&subject=verification' | grep -oE '[0-9]{6}' | tail -1)
                      curl -s -c $J -b $J %s/api/verifications/checks -H "$H" -d "{\\"channel\\":\\"email\\",\\"code\\":\\"$CODE\\"}" -w '%%{http_code}\\n'
                      curl -s -b $J %s/api/settings/me
                    """.formatted(LOCAL_COOKIE_NAME, gw, gw, gw, sink, gw, gw));
        }
        if (selected.stream().anyMatch(s -> s.name().equals("kyc-service"))) {
            b.append("""
                      curl -s -b $J %s/api/kyc/applications -H "$H" -d '{"applicantType":"individual"}'
                      curl -s -b $J %s/api/kyc/status
                    """.formatted(gw, gw));
        }
        if (selected.stream().anyMatch(s -> s.name().equals("rates-service"))) {
            b.append("  curl -s ").append(gw).append("/api/rates/EUR/USD\n");
        }
        if (selected.stream().anyMatch(s -> s.name().equals("auth-service"))) {
            b.append("(a client without cookies sends the sign-in answer's \"token\" as -H \"Authorization: Bearer $TOKEN\")\n");
            b.append("\ne-mails (verification codes) land in the mail sink: http://").append(sink)
                    .append("/mail?to=<address>; text messages in http://").append(sink).append("/sms?to=<number>\n");
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
        if (gateway != null) {
            await(gateway.stop());
            gateway = null;
        }
        if (sinks != null) {
            sinks.stop();
            sinks = null;
        }
        if (vertx != null) {
            await(vertx.close());
            vertx = null;
        }
        if (servers != null) {
            servers.stop();
            servers = null;
            if (fresh) {
                deleteTree(dataDir);
            }
            log("stopped");
        }
    }

    private static void await(io.vertx.core.Future<?> f) {
        try {
            f.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log("while stopping: " + e);
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

    static void log(String msg) {
        System.out.println("[strata-local] " + msg);
        System.out.flush();
    }

    private static void die(String msg) {
        System.err.println(msg);
        System.exit(2);
    }
}
