package dev.strata.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A real PostgreSQL 17 server (zonky's binaries), run by us so we control user, flags and shutdown. */
public final class EmbeddedPostgres extends EmbeddedServer {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    public static final String DATABASE = "strata";

    private final Path home;
    private final boolean durable;
    private final int port;
    private Path walArchive;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Duration startupTimeout = Duration.ofSeconds(60);

    /**
     * @param home    directory holding {@code data/} and the log; reused across starts when it exists
     * @param durable false for tests: fsync off, which makes initdb and every commit much faster
     */
    public EmbeddedPostgres(Path home, int port, boolean durable) {
        this.home = home;
        this.port = port;
        this.durable = durable;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The server's data directory ({@code <home>/data}). */
    public Path dataDirectory() {
        return home.resolve("data");
    }

    /** The server's log ({@code <home>/postgres.log}, started afresh at each start). */
    public Path logFile() {
        return home.resolve("postgres.log");
    }

    /**
     * Turns WAL archiving on from the next start: {@code archive_mode=on} and an {@link #archiveCommand(Path)} that
     * copies every finished WAL segment into {@code dir} (created, and given to the server's user). Off unless
     * asked for: the local run asks for it (point-in-time recovery), the tests' shared server does not.
     */
    public synchronized EmbeddedPostgres archiveWalTo(Path dir) {
        this.walArchive = dir.toAbsolutePath().normalize();
        return this;
    }

    /** The WAL archive given to {@link #archiveWalTo(Path)}, or {@code null}. */
    public synchronized Path walArchive() {
        return walArchive;
    }

    /** An extra server setting ({@code -c name=value}) from the next start on, e.g. recovery settings. */
    public synchronized EmbeddedPostgres setting(String name, String value) {
        settings.put(name, value);
        return this;
    }

    /** How long {@link #start()} waits for the server to accept queries (60 s unless set; a recovery may need more). */
    public synchronized EmbeddedPostgres startupTimeout(Duration timeout) {
        this.startupTimeout = timeout;
        return this;
    }

    /**
     * An {@code archive_command} copying {@code %p} into {@code dir} safely: through a temporary name and a rename (a
     * half-copied segment never carries the final name), never overwriting a segment already archived, yet
     * succeeding when the same segment arrives again with identical content (PostgreSQL retries after a crash).
     */
    public static String archiveCommand(Path dir) {
        String d = shellQuoted(dir.toAbsolutePath().normalize());
        return "if [ -f " + d + "/%f ]; then cmp -s %p " + d + "/%f; else cp %p " + d + "/%f.tmp && mv " + d
                + "/%f.tmp " + d + "/%f; fi";
    }

    /** A {@code restore_command} reading segments from a WAL archive filled by {@link #archiveCommand(Path)}. */
    public static String restoreCommand(Path dir) {
        return "cp " + shellQuoted(dir.toAbsolutePath().normalize()) + "/%f %p";
    }

    private static String shellQuoted(Path p) {
        String s = p.toString();
        if (s.contains("'") || s.contains("%")) {
            throw new IllegalArgumentException("a WAL archive path may not contain ' or %: " + s);
        }
        return "'" + s + "'";
    }

    public synchronized void start() throws IOException {
        requireFree("PostgreSQL", port);
        Path bin = Binaries.postgres().resolve("bin");
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Path data = home.resolve("data");
        Unprivileged.own(home);
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            List<String> initdb = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D", data.toString(),
                    "-A", "trust", "-U", USER, "-E", "UTF8", "--locale=C"));
            if (!durable) {
                initdb.add("--no-sync");
            }
            Process p = new ProcessBuilder(Unprivileged.wrap(initdb)).directory(home.toFile())
                    .redirectErrorStream(true).redirectOutput(home.resolve("initdb.log").toFile()).start();
            try {
                if (p.waitFor() != 0) {
                    throw new IOException("initdb failed: " + Files.readString(home.resolve("initdb.log")));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted during initdb", e);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-h", "127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "max_connections=300", "-c", "shared_buffers=64MB"));
        if (!durable) {
            cmd.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
        }
        if (walArchive != null) {
            Files.createDirectories(walArchive);
            Unprivileged.own(walArchive);
            cmd.addAll(List.of("-c", "archive_mode=on", "-c", "archive_command=" + archiveCommand(walArchive)));
        }
        settings.forEach((name, value) -> cmd.addAll(List.of("-c", name + "=" + value)));
        Path log = home.resolve("postgres.log");
        Files.deleteIfExists(log);
        process = ManagedProcess.start("postgres", "INT", Unprivileged.wrap(cmd), home, log, Map.of("LC_ALL", "C"));
        Ports.await("PostgreSQL on port " + port, startupTimeout, this::acceptsQueries, process);
        createDatabase();
    }

    private boolean acceptsQueries() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER,
                PASSWORD)) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    private void createDatabase() throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER,
                PASSWORD); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'"
                    + " UNION ALL SELECT 1 WHERE pg_is_in_recovery()")) {
                if (rs.next()) {
                    // there, or a server still in recovery (a restore), which can create nothing
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("could not create database " + DATABASE, e);
        }
    }

}
