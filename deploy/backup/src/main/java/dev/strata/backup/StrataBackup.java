package dev.strata.backup;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.strata.testing.EmbeddedPostgres;
import dev.strata.testing.Ports;
import dev.strata.testing.StrataServers;

/**
 * The command line behind {@code deploy/backup/strata-backup} and {@code deploy/backup/strata-restore}. Without
 * connection options everything refers to the local run's data directory ({@code --data-dir}, default
 * {@code ./.strata-data}): PostgreSQL on 127.0.0.1:15432 ({@code STRATA_LOCAL_PG_PORT}), data in
 * {@code <data-dir>/postgres/data}, WAL archive {@code <data-dir>/backups/wal}, base backups
 * {@code <data-dir>/backups/base}, object backups {@code <data-dir>/backups/s3}, S3Proxy on 127.0.0.1:19000
 * ({@code STRATA_LOCAL_S3_PORT}) with the data directory's credentials.
 */
public final class StrataBackup {

    static final String USAGE = """
            usage:
              strata-backup pg   [--data-dir D] | --jdbc-url URL --user U [--password P] --pgdata DIR --to DIR
              strata-backup s3   [--data-dir D] [--bucket kyc-documents] [--to DIR]
                                 [--endpoint URL --access-key K --secret-key S]
              strata-backup list [--data-dir D]
              strata-backup archive-command --wal DIR
              strata-restore pg  [--data-dir D] (--target-time T | --latest) (--in-place | --into DIR)
                                 [--base NAME] [--port P] [--keep-running] [--timeout-seconds N]
                                 | --base-dir DIR --wal DIR (--target-time T | --latest) --into DIR [--prepare-only]
              strata-restore s3  --from DIR [--check] [--data-dir D] [--bucket B]
                                 [--endpoint URL --access-key K --secret-key S]
            times: 2026-11-23T02:30:00Z, 2026-11-23T03:30:00+01:00 or '2026-11-23 02:30:00+00'
            """;

    private static final Set<String> FLAGS = Set.of("--in-place", "--keep-running", "--prepare-only", "--check",
            "--latest");

    private final PrintStream out;
    private final Map<String, String> env;

    StrataBackup(PrintStream out, Map<String, String> env) {
        this.out = out;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new StrataBackup(System.out, System.getenv()).runCatching(args));
    }

    /** {@link #run} with errors reported on stderr: 0 done, 1 failed, 2 wrong usage. */
    int runCatching(String... args) {
        try {
            return run(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            return 2;
        } catch (Exception e) {
            System.err.println("failed: " + e.getMessage());
            return 1;
        }
    }

    /** {@code args[0]} is {@code backup} or {@code restore}, {@code args[1]} what; returns the exit code. */
    int run(String... args) throws Exception {
        if (java.util.Arrays.stream(args).anyMatch(a -> a.equals("-h") || a.equals("--help"))) {
            out.print(USAGE);
            return 0;
        }
        if (args.length < 2) {
            throw new IllegalArgumentException("missing command");
        }
        Map<String, String> o = options(args);
        String command = args[0] + " " + args[1];
        switch (command) {
            case "backup pg" -> backupPg(o);
            case "backup s3" -> backupS3(o);
            case "backup list" -> list(o);
            case "backup archive-command" -> out.println("archive_mode = on\narchive_command = '"
                    + EmbeddedPostgres.archiveCommand(Path.of(required(o, "--wal"))).replace("'", "''") + "'");
            case "restore pg" -> {
                return restorePg(o);
            }
            case "restore s3" -> {
                return restoreS3(o);
            }
            default -> throw new IllegalArgumentException("unknown command: " + command);
        }
        return 0;
    }

    private void backupPg(Map<String, String> o) throws Exception {
        PgBackup.Source source;
        Path to;
        if (o.containsKey("--jdbc-url")) {
            source = new PgBackup.Source(o.get("--jdbc-url"), o.getOrDefault("--user", "postgres"),
                    o.getOrDefault("--password", env.getOrDefault("PGPASSWORD", "")), Path.of(required(o, "--pgdata")));
            to = Path.of(required(o, "--to"));
        } else {
            Path d = dataDir(o);
            source = new PgBackup.Source("jdbc:postgresql://127.0.0.1:" + localPort(o, "--pg-port",
                    "STRATA_LOCAL_PG_PORT", 15432) + "/" + EmbeddedPostgres.DATABASE, EmbeddedPostgres.USER,
                    EmbeddedPostgres.PASSWORD, d.resolve("postgres/data"));
            to = d.resolve("backups/base");
        }
        long t0 = System.nanoTime();
        PgBackup.Info info = PgBackup.take(source, to);
        out.printf("base backup %s: %d files, %d MB in %d ms (PostgreSQL %s), consistent from %s (server clock)%n",
                info.dir(), info.files(), info.bytes() >> 20, (System.nanoTime() - t0) / 1_000_000,
                info.serverVersion(), info.stoppedAt());
        out.println("restore any later time with: strata-restore pg --target-time '<time>' ...");
    }

    private void backupS3(Map<String, String> o) throws Exception {
        String bucket = o.getOrDefault("--bucket", S3Backup.DEFAULT_BUCKET);
        Path to = o.containsKey("--to") ? Path.of(o.get("--to"))
                : dataDir(o).resolve("backups/s3").resolve(bucket + "-"
                        + PgBackup.STAMP.format(OffsetDateTime.now(ZoneOffset.UTC)));
        S3Backup.Summary s = S3Backup.backup(s3(o), bucket, to);
        out.printf("backup of %s: %d objects, %d bytes, in %s (manifest.tsv with SHA-256 of each)%n", s.bucket(),
                s.objects(), s.bytes(), s.dir());
    }

    private void list(Map<String, String> o) throws IOException {
        Path d = dataDir(o);
        out.println("base backups (" + d.resolve("backups/base") + "):");
        for (PgBackup.Info b : PgBackup.list(d.resolve("backups/base"))) {
            out.printf("  %s  consistent from %s  %d MB  PostgreSQL %s%n", b.name(), b.stoppedAt(), b.bytes() >> 20,
                    b.serverVersion());
        }
        Path wal = StrataServers.walArchive(d);
        if (Files.isDirectory(wal)) {
            try (var files = Files.list(wal)) {
                List<String> names = files.map(f -> f.getFileName().toString()).filter(n -> !n.endsWith(".tmp"))
                        .sorted().toList();
                out.println("WAL archive (" + wal + "): " + names.size() + " files"
                        + (names.isEmpty() ? "" : ", " + names.get(0) + " .. " + names.get(names.size() - 1)));
            }
        }
        Path s3 = d.resolve("backups/s3");
        if (Files.isDirectory(s3)) {
            out.println("object backups (" + s3 + "):");
            try (var dirs = Files.list(s3)) {
                for (Path p : (Iterable<Path>) dirs.sorted()::iterator) {
                    out.println("  " + p.getFileName());
                }
            }
        }
    }

    private int restorePg(Map<String, String> o) throws Exception {
        OffsetDateTime target = o.containsKey("--latest") ? null : PgRestore.parseTime(required(o, "--target-time"));
        Duration timeout = Duration.ofSeconds(Long.parseLong(o.getOrDefault("--timeout-seconds", "600")));
        int port = o.containsKey("--port") ? Integer.parseInt(o.get("--port")) : Ports.free();
        boolean keep = o.containsKey("--keep-running");
        if (o.containsKey("--base-dir")) {
            PgRestore.Result r = PgRestore.restore(new PgRestore.Request(Path.of(o.get("--base-dir")),
                    Path.of(required(o, "--wal")), target, o.get("--base"), Path.of(required(o, "--into")), port, null,
                    o.containsKey("--prepare-only"), keep, timeout, false));
            report(r, port);
            return 0;
        }
        Path d = dataDir(o);
        Path current = d.resolve("postgres");
        boolean running = Files.exists(current.resolve("data/postmaster.pid"));
        String stamp = PgBackup.STAMP.format(OffsetDateTime.now(ZoneOffset.UTC));
        boolean inPlace = o.containsKey("--in-place");
        if (inPlace == o.containsKey("--into")) {
            throw new IllegalArgumentException("give --in-place (replace the local run's database; stop strata-local"
                    + " first) or --into DIR (a new server home, the current one untouched)");
        }
        if (inPlace && (running || Ports.isOpen("127.0.0.1", localPort(o, "--pg-port", "STRATA_LOCAL_PG_PORT", 15432)))) {
            throw new IOException("the local run's PostgreSQL is running (" + current.resolve("data/postmaster.pid")
                    + "): stop strata-local first (a pid file left by a crash: start and stop strata-local once, or delete it"
                    + " if no postgres process runs)");
        }
        if (inPlace && keep) {
            throw new IllegalArgumentException("--keep-running goes with --into only");
        }
        Path into = inPlace ? d.resolve("postgres.restoring-" + stamp) : Path.of(o.get("--into"));
        // the old server's not yet archived WAL, when it is stopped (a running server's pg_wal is still moving);
        // a running one is asked to hand its current segment to the archive first
        Path currentWal = running ? null : current.resolve("data/pg_wal");
        if (running) {
            switchWal(localPort(o, "--pg-port", "STRATA_LOCAL_PG_PORT", 15432));
        }
        PgRestore.Result r = PgRestore.restore(new PgRestore.Request(d.resolve("backups/base"),
                StrataServers.walArchive(d), target, o.get("--base"), into, port, currentWal, false, keep, timeout,
                inPlace));
        report(r, port);
        if (inPlace) {
            Path aside = d.resolve("postgres.before-restore-" + stamp);
            if (Files.exists(current)) {
                Files.move(current, aside);
                out.println("the database as it was is kept in " + aside + " (delete it when satisfied)");
            }
            Files.move(into, current);
            out.println("the local run's database is now the restored one: start strata-local as usual, then take a"
                    + " new base backup (strata-backup pg)");
        } else if (keep) {
            out.println("the restored server keeps running on port " + port + " until this command is stopped");
            Thread.currentThread().join();
        }
        return 0;
    }

    /** {@code pg_switch_wal()} on the running local server, then waits until the closed segment is archived. */
    private void switchWal(int port) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/"
                + EmbeddedPostgres.DATABASE, EmbeddedPostgres.USER, EmbeddedPostgres.PASSWORD);
                java.sql.Statement s = c.createStatement()) {
            String closed = PgBackup.single(s, "SELECT pg_walfile_name(pg_switch_wal())");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                String archived = PgBackup.single(s, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
                if (archived.compareTo(closed) >= 0) {
                    out.println("the running server's WAL up to " + closed + " is archived");
                    return;
                }
                Thread.sleep(100);
            }
            throw new IOException("WAL segment " + closed + " not archived after 60 s (see the server's log)");
        }
    }

    private void report(PgRestore.Result r, int port) {
        out.println("restored from base backup " + r.base().name() + " into " + r.home().resolve("data"));
        if (r.server() == null && r.timeline() == null) {
            out.println("prepared only: recovery.signal and the recovery settings (postgresql.auto.conf) are in place;"
                    + " start PostgreSQL " + r.base().serverVersion() + " on it");
            return;
        }
        for (String line : new String[] {r.stoppedAt(), r.lastTransaction(), r.timeline()}) {
            if (line != null) {
                out.println("  " + line);
            }
        }
        out.println("recovery done and promoted" + (r.server() != null ? " (running on port " + port + ")" : ""));
    }

    private int restoreS3(Map<String, String> o) throws Exception {
        Path from = Path.of(required(o, "--from"));
        String bucket = o.getOrDefault("--bucket", S3Backup.bucketOf(from));
        boolean check = o.containsKey("--check");
        S3Backup.Report r = check ? S3Backup.check(s3(o), bucket, from) : S3Backup.restore(s3(o), bucket, from);
        for (String p : r.problems()) {
            out.println("  PROBLEM " + p);
        }
        out.printf("%s %s from %s: %d objects, %d restored, %d already equal (SHA-256), %d problems%n",
                check ? "check of" : "restore of", bucket, from, r.checked(), r.restored(), r.unchanged(),
                r.problems().size());
        return r.ok() ? 0 : 1;
    }

    private S3Backup.Endpoint s3(Map<String, String> o) throws IOException {
        String endpoint = o.getOrDefault("--endpoint", env.get("STRATA_S3_ENDPOINT"));
        if (endpoint != null && !endpoint.isBlank()) {
            return new S3Backup.Endpoint(endpoint, o.getOrDefault("--access-key", env.getOrDefault("STRATA_S3_ACCESS_KEY", "")),
                    o.getOrDefault("--secret-key", env.getOrDefault("STRATA_S3_SECRET_KEY", "")));
        }
        Path d = dataDir(o);
        Path secret = d.resolve("s3-secret");
        if (!Files.isRegularFile(secret)) {
            throw new IOException("no " + secret + ": is " + d + " a strata-local data directory? (or give --endpoint)");
        }
        return new S3Backup.Endpoint("http://127.0.0.1:" + localPort(o, "--s3-port", "STRATA_LOCAL_S3_PORT", 19000),
                "strata-local", Files.readString(secret).trim());
    }

    private Path dataDir(Map<String, String> o) {
        String d = o.get("--data-dir");
        if (d == null) {
            d = Path.of(System.getProperty("strata.root", ".")).resolve(".strata-data").toString();
        }
        return Path.of(d).toAbsolutePath().normalize();
    }

    private int localPort(Map<String, String> o, String option, String envName, int fallback) {
        String v = o.getOrDefault(option, env.get(envName));
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing " + name);
        }
        return v;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            if (FLAGS.contains(a)) {
                o.put(a, "true");
            } else if (i + 1 < args.length) {
                o.put(a, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        return o;
    }
}
