package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * PostgreSQL, Redis and S3 for tests and the local run. Each is either external (named by an environment
 * variable) or embedded and started here on a free port. Embedded servers are stopped by a shutdown hook and,
 * should this JVM die without running it, by their watchdogs.
 *
 * <ul>
 * <li>{@code STRATA_PG_URL} = {@code postgresql://user:password@host:port/database}</li>
 * <li>{@code STRATA_REDIS_URL} = {@code redis://host:port}</li>
 * <li>{@code STRATA_S3_ENDPOINT}, {@code STRATA_S3_ACCESS_KEY}, {@code STRATA_S3_SECRET_KEY}</li>
 * </ul>
 *
 * <p>With {@link Options#sentinel()} the embedded Redis is a Sentinel setup ({@link EmbeddedSentinel}) and services
 * get Sentinel-mode client settings instead of one URL.
 */
public final class StrataServers {

    /**
     * Where servers keep their files, and whether they must survive a restart. {@code sentinel}: Redis as master,
     * replica and three sentinels (ports {@code redisPort}, {@code redisPort + 1} and {@code redisPort + 10000..10002},
     * e.g. 16379, 16380, 26379-26381; all free ones when {@code redisPort} is 0).
     */
    public record Options(Path dataDir, boolean durable, EmbeddedS3.Backend s3Backend, int pgPort, int redisPort,
            int s3Port, boolean sentinel) {

        public Options(Path dataDir, boolean durable, EmbeddedS3.Backend s3Backend, int pgPort, int redisPort,
                int s3Port) {
            this(dataDir, durable, s3Backend, pgPort, redisPort, s3Port, false);
        }

        public static Options forTests() {
            try {
                Path dir = Files.createTempDirectory("strata-servers-");
                return new Options(dir, false, EmbeddedS3.Backend.TRANSIENT, 0, 0, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static StrataServers shared;

    private final Options options;
    private final EmbeddedPostgres postgres;
    private final EmbeddedRedis redis;
    private final EmbeddedSentinel sentinel;
    private final EmbeddedS3 s3;
    private final Map<String, String> pg;
    private final String redisUrl;
    private final String s3Endpoint;
    private final String s3AccessKey;
    private final String s3SecretKey;

    private StrataServers(Options options) {
        this.options = options;
        Map<String, String> env = System.getenv();
        openForUnprivileged(options.dataDir());
        ProcessRegistry.reapOrphans();

        String pgUrl = env.get("STRATA_PG_URL");
        if (pgUrl != null && !pgUrl.isBlank()) {
            URI u = URI.create(pgUrl);
            String[] userInfo = Optional.ofNullable(u.getUserInfo()).orElse("postgres:").split(":", 2);
            String hostPort = u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432);
            pg = Map.of("reactive", "postgresql://" + hostPort + u.getPath(), "jdbc",
                    "jdbc:postgresql://" + hostPort + u.getPath(), "user", userInfo[0], "password",
                    userInfo.length > 1 ? userInfo[1] : "");
            postgres = null;
        } else {
            postgres = new EmbeddedPostgres(options.dataDir().resolve("postgres"), port(options.pgPort()),
                    options.durable());
            pg = Map.of("reactive", postgres.reactiveUrl(), "jdbc", postgres.jdbcUrl(), "user", EmbeddedPostgres.USER,
                    "password", EmbeddedPostgres.PASSWORD);
        }

        String redisEnv = env.get("STRATA_REDIS_URL");
        if (redisEnv != null && !redisEnv.isBlank()) {
            redis = null;
            sentinel = null;
            redisUrl = redisEnv;
        } else if (options.sentinel()) {
            String redisPassword = options.durable() ? persistentSecret(options.dataDir(), "redis-password")
                    : randomSecret();
            int p = options.redisPort();
            sentinel = p > 0
                    ? new EmbeddedSentinel(options.dataDir().resolve("redis-sentinel"), redisPassword,
                            options.durable(), p, p + 1, p + 10000, p + 10001, p + 10002)
                    : new EmbeddedSentinel(options.dataDir().resolve("redis-sentinel"), redisPassword,
                            options.durable());
            redis = null;
            // the default user at the sentinels: what an operator points redis-cli at first
            redisUrl = sentinel.quarkusConfig(null).get("quarkus.redis.hosts");
        } else {
            sentinel = null;
            String redisPassword = options.durable() ? persistentSecret(options.dataDir(), "redis-password")
                    : randomSecret();
            redis = new EmbeddedRedis(options.dataDir().resolve("redis"), port(options.redisPort()), options.durable(),
                    redisPassword);
            redisUrl = redis.url();
        }

        String s3Env = env.get("STRATA_S3_ENDPOINT");
        if (s3Env != null && !s3Env.isBlank()) {
            s3 = null;
            s3Endpoint = s3Env;
            s3AccessKey = env.getOrDefault("STRATA_S3_ACCESS_KEY", "");
            s3SecretKey = env.getOrDefault("STRATA_S3_SECRET_KEY", "");
        } else {
            String secret = options.durable() ? persistentSecret(options.dataDir()) : randomSecret();
            s3 = new EmbeddedS3(options.dataDir().resolve("s3"), port(options.s3Port()), options.s3Backend(),
                    "strata-local", secret);
            s3Endpoint = s3.endpoint();
            s3AccessKey = s3.accessKey();
            s3SecretKey = s3.secretKey();
        }
    }

    /** Where {@link #archivePostgresWal()} archives the WAL of a data directory's PostgreSQL: {@code <dataDir>/backups/wal}. */
    public static Path walArchive(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolve("backups").resolve("wal");
    }

    /**
     * Has the embedded PostgreSQL (if embedded) archive every WAL segment into {@link #walArchive(Path)} from its
     * start on, for point-in-time recovery ({@code deploy/backup}). The local run asks for it before {@link #start()};
     * tests do not (nothing of theirs is worth restoring).
     */
    public StrataServers archivePostgresWal() {
        if (postgres != null) {
            postgres.archiveWalTo(walArchive(options.dataDir()));
        }
        return this;
    }

    /** The servers shared by every test of this JVM, started on first use. */
    public static synchronized StrataServers shared() {
        if (shared == null) {
            StrataServers servers = new StrataServers(Options.forTests());
            servers.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                servers.stop();
                try {
                    Binaries.deleteTree(servers.options.dataDir());
                } catch (IOException ignored) {
                    // temp dir: leave it
                }
            }, "strata-servers-stop"));
            shared = servers;
        }
        return shared;
    }

    /** Servers for the local run: data kept under {@code options.dataDir()} across restarts. */
    public static StrataServers create(Options options) {
        return new StrataServers(options);
    }

    /** Starts the embedded servers in parallel (a few seconds in all). */
    public void start() {
        try {
            CompletableFuture.allOf(
                    CompletableFuture.runAsync(() -> run(postgres == null ? null : postgres::start)),
                    CompletableFuture.runAsync(() -> run(redis == null ? null : redis::start)),
                    CompletableFuture.runAsync(() -> run(sentinel == null ? null : sentinel::start)),
                    CompletableFuture.runAsync(() -> run(s3 == null ? null : s3::start))).join();
        } catch (CompletionException e) {
            stop();
            throw e;
        }
    }

    public void stop() {
        if (s3 != null) {
            s3.stop();
        }
        if (redis != null) {
            redis.stop();
        }
        if (sentinel != null) {
            sentinel.stop();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    /**
     * Connection settings in Quarkus terms, handed to every service under test. Redis is reached as the ACL user of
     * the service under test, named by the system property {@code strata.service} (set per module by the build),
     * so a test fails where the service touches keys outside its own.
     */
    public Map<String, String> quarkusConfig() {
        return quarkusConfig(System.getProperty("strata.service"));
    }

    /** As {@link #quarkusConfig()}, for the named service ({@code null}: Redis's default user). */
    public Map<String, String> quarkusConfig(String service) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.devservices.enabled", "false");
        c.put("quarkus.datasource.reactive.url", pg.get("reactive"));
        c.put("quarkus.datasource.jdbc.url", pg.get("jdbc"));
        c.put("quarkus.datasource.username", pg.get("user"));
        c.put("quarkus.datasource.password", pg.get("password"));
        if (sentinel != null) {
            c.putAll(sentinel.quarkusConfig(service));
        } else {
            c.put("quarkus.redis.hosts", redisUrl(service));
        }
        // .host, not the deprecated .url: quarkus-minio 3.8.6 no longer maps .url under this Quarkus
        c.put("quarkus.minio.host", s3Endpoint);
        c.put("quarkus.minio.access-key", s3AccessKey);
        c.put("quarkus.minio.secret-key", s3SecretKey);
        c.put("strata.storage.public-endpoint", s3Endpoint);
        return c;
    }

    /** The same settings as environment variables, for a child process of the named service. */
    public Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        quarkusConfig(service).forEach((k, v) -> env.put(k.toUpperCase().replaceAll("[^A-Z0-9]", "_"), v));
        return env;
    }

    /** The embedded Redis, if Redis is embedded: tests stop and restart it to prove fail-closed behaviour. */
    public Optional<EmbeddedRedis> embeddedRedis() {
        return Optional.ofNullable(redis);
    }

    /** The embedded Sentinel setup, if Redis runs in Sentinel mode ({@link Options#sentinel()}). */
    public Optional<EmbeddedSentinel> embeddedSentinel() {
        return Optional.ofNullable(sentinel);
    }

    public Optional<EmbeddedS3> embeddedS3() {
        return Optional.ofNullable(s3);
    }

    public Optional<EmbeddedPostgres> embeddedPostgres() {
        return Optional.ofNullable(postgres);
    }

    public String redisUrl() {
        return redisUrl;
    }

    /** The URL of a service's own Redis user; an external Redis (STRATA_REDIS_URL) is used as given. */
    public String redisUrl(String service) {
        if (sentinel != null) {
            return sentinel.quarkusConfig(service).get("quarkus.redis.hosts");
        }
        return redis == null || service == null || service.isBlank() ? redisUrl : redis.url(service);
    }

    public String s3Endpoint() {
        return s3Endpoint;
    }

    public String s3AccessKey() {
        return s3AccessKey;
    }

    public String s3SecretKey() {
        return s3SecretKey;
    }

    public String jdbcUrl() {
        return pg.get("jdbc");
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void run(IoAction action) {
        if (action == null) {
            return;
        }
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As root, PostgreSQL runs as nobody, which must be able to reach its directory below ours. */
    private static void openForUnprivileged(Path dir) {
        if (!Unprivileged.isRoot()) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int port(int requested) {
        return requested > 0 ? requested : Ports.free();
    }

    private static String randomSecret() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The local run's S3 secret is generated once per data directory (never committed, never a default). */
    private static String persistentSecret(Path dataDir) {
        return persistentSecret(dataDir, "s3-secret");
    }

    /** A random secret generated once and kept in {@code dataDir/name} (mode 600). */
    public static String persistentSecret(Path dataDir, String name) {
        try {
            Path f = dataDir.resolve(name);
            if (Files.exists(f)) {
                return Files.readString(f).trim();
            }
            Files.createDirectories(dataDir);
            String s = randomSecret();
            Files.writeString(f, s);
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
