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
        Path log = home.resolve("postgres.log");
        Files.deleteIfExists(log);
        process = ManagedProcess.start("postgres", "INT", Unprivileged.wrap(cmd), home, log, Map.of("LC_ALL", "C"));
        Ports.await("PostgreSQL on port " + port, Duration.ofSeconds(60), this::acceptsQueries, process);
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
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("could not create database " + DATABASE, e);
        }
    }

}
