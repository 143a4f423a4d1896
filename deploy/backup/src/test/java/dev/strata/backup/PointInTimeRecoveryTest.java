package dev.strata.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strata.testing.EmbeddedPostgres;
import dev.strata.testing.Ports;

/**
 * The whole point-in-time recovery on real PostgreSQL with the embedded binaries alone (no pg_basebackup): a server
 * archiving its WAL as the local run does, a base backup through the command line, rows written, the time noted,
 * the rows deleted, a restore to the noted time into a new data directory on another port — the rows are back, the
 * original still shows them deleted.
 */
class PointInTimeRecoveryTest {

    private final List<EmbeddedPostgres> servers = new ArrayList<>();
    private Path root;

    @AfterEach
    void stopAndClean() throws Exception {
        servers.forEach(EmbeddedPostgres::stop);
        if (root != null) {
            PgBackup.deleteTree(root);
        }
    }

    @Test
    void restoresTheRowsDeletedAfterTheNotedTime() throws Exception {
        long t0 = System.nanoTime();
        // laid out as strata-local's data directory: <d>/postgres, <d>/backups/{wal,base}
        root = Files.createTempDirectory("strata-pitr-");
        // as root the server runs as nobody, which must reach the archive below this directory
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        Path wal = root.resolve("backups/wal");
        EmbeddedPostgres original = new EmbeddedPostgres(root.resolve("postgres"), Ports.free(), true)
                .archiveWalTo(wal);
        servers.add(original);
        original.start();

        try (Connection c = connect(original); Statement s = c.createStatement()) {
            assertEquals("on", PgBackup.single(s, "SHOW archive_mode"));
            s.execute("CREATE TABLE before_backup (id int)");
        }
        String out = cli("backup", "pg", "--jdbc-url", original.jdbcUrl(), "--user", EmbeddedPostgres.USER,
                "--password", EmbeddedPostgres.PASSWORD, "--pgdata", original.dataDirectory().toString(), "--to",
                root.resolve("backups/base").toString());
        assertTrue(out.contains("base backup"), out);
        List<PgBackup.Info> bases = PgBackup.list(root.resolve("backups/base"));
        assertEquals(1, bases.size());
        Path copy = bases.get(0).dir().resolve("data");
        assertTrue(Files.readString(copy.resolve("backup_label")).contains("LABEL: strata-"));
        assertFalse(Files.exists(copy.resolve("postmaster.pid")), "the running server's pid file is not copied");
        try (var walCopy = Files.list(copy.resolve("pg_wal"))) {
            assertTrue(walCopy.allMatch(Files::isDirectory), "no WAL segment in the base backup: the archive has them");
        }

        List<String> rows = new ArrayList<>();
        OffsetDateTime noted;
        try (Connection c = connect(original); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kyc_notes (id int PRIMARY KEY, note text NOT NULL, at timestamptz NOT NULL)");
            s.execute("INSERT INTO kyc_notes SELECT g, 'note ' || g || ' ' || md5(g::text), now()"
                    + " FROM generate_series(1, 500) g");
            rows.addAll(contents(s));
            assertEquals(500, rows.size());
            s.execute("SELECT pg_switch_wal()");
            Thread.sleep(20);
            noted = PgBackup.now(s);
            Thread.sleep(20);
            assertEquals(500, s.executeUpdate("DELETE FROM kyc_notes"));
            s.execute("DROP TABLE before_backup");
            // the segment with the deletion must reach the archive: recovery stops at the first commit after the
            // noted time, so it needs to see one
            switchAndAwaitArchived(s);
        }

        int port = Ports.free();
        out = cli("restore", "pg", "--base-dir", root.resolve("backups/base").toString(), "--wal", wal.toString(),
                "--target-time", noted.toString(), "--into", root.resolve("restored").toString(), "--port",
                Integer.toString(port), "--timeout-seconds", "60");
        assertTrue(out.contains("recovery done and promoted"), out);
        assertTrue(out.contains("recovery stopping before commit"), out);

        // the restored server (stopped cleanly by the restore) starts as a normal primary on its own port
        EmbeddedPostgres restored = new EmbeddedPostgres(root.resolve("restored"), port, true);
        servers.add(restored);
        restored.start();
        try (Connection c = connect(restored); Statement s = c.createStatement()) {
            assertEquals("f", PgBackup.single(s, "SELECT pg_is_in_recovery()"));
            assertEquals(rows, contents(s), "the rows as they were at the noted time");
            assertEquals("1", PgBackup.single(s, "SELECT count(*) FROM pg_tables WHERE tablename = 'before_backup'"));
            // a primary that takes writes, on a new timeline
            s.execute("INSERT INTO kyc_notes VALUES (501, 'after the restore', now())");
            assertTrue(Integer.parseInt(PgBackup.single(s, "SELECT timeline_id FROM pg_control_checkpoint()")) >= 1);
        }
        try (Connection c = connect(original); Statement s = c.createStatement()) {
            assertEquals("0", PgBackup.single(s, "SELECT count(*) FROM kyc_notes"), "the original keeps its deletion");
            assertEquals("0", PgBackup.single(s, "SELECT count(*) FROM pg_tables WHERE tablename = 'before_backup'"));
        }

        // --prepare-only: the directory and settings for a server of one's own, which recovers when started
        Path prepared = root.resolve("prepared");
        cli("restore", "pg", "--base-dir", root.resolve("backups/base").toString(), "--wal", wal.toString(),
                "--target-time", noted.toString(), "--into", prepared.toString(), "--prepare-only");
        assertTrue(Files.exists(prepared.resolve("data/recovery.signal")));
        assertTrue(Files.readString(prepared.resolve("data/postgresql.auto.conf")).contains("recovery_target_time = '"));
        EmbeddedPostgres own = new EmbeddedPostgres(prepared, Ports.free(), true);
        servers.add(own);
        own.start();
        try (Connection c = connect(own); Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (PgBackup.single(s, "SELECT pg_is_in_recovery()").equals("t") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals("f", PgBackup.single(s, "SELECT pg_is_in_recovery()"));
            assertEquals(rows, contents(s));
        }
        System.out.printf("point-in-time recovery test: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void refusesAServerWithoutArchiveAndATimeWithoutZone() throws Exception {
        root = Files.createTempDirectory("strata-pitr-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        EmbeddedPostgres plain = new EmbeddedPostgres(root.resolve("postgres"), Ports.free(), false);
        servers.add(plain);
        plain.start();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> PgBackup.take(new PgBackup.Source(plain.jdbcUrl(), EmbeddedPostgres.USER,
                        EmbeddedPostgres.PASSWORD, plain.dataDirectory()), root.resolve("base")));
        assertTrue(e.getMessage().contains("archive_mode is off"), e.getMessage());
        assertEquals(2, new StrataBackup(new PrintStream(new ByteArrayOutputStream()), Map.of())
                .runCatching("restore", "pg", "--data-dir", root.toString(), "--target-time", "yesterday",
                        "--into", root.resolve("x").toString()));
    }

    /** Waits until the segment {@code pg_switch_wal()} just closed is in the archive. */
    private static void switchAndAwaitArchived(Statement s) throws Exception {
        String closed = PgBackup.single(s, "SELECT pg_walfile_name(pg_switch_wal())");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (ResultSet rs = s.executeQuery("SELECT last_archived_wal, failed_count FROM pg_stat_archiver")) {
                rs.next();
                assertEquals(0, rs.getInt(2), "archive_command failed");
                if (rs.getString(1) != null && rs.getString(1).compareTo(closed) >= 0) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("WAL segment " + closed + " not archived in time");
    }

    private static List<String> contents(Statement s) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT id, note, at FROM kyc_notes ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getObject(3, OffsetDateTime.class));
            }
        }
        return rows;
    }

    private static Connection connect(EmbeddedPostgres pg) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, EmbeddedPostgres.PASSWORD);
    }

    static String cli(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = new StrataBackup(new PrintStream(buf, true, StandardCharsets.UTF_8), Map.of()).run(args);
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, code, out);
        assertNotNull(out);
        return out;
    }
}
