package dev.strata.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.strata.testing.EmbeddedPostgres;

/**
 * Point-in-time recovery: a new data directory from the newest base backup finished before the target time, WAL
 * replayed from the archive ({@code restore_command}) up to {@code recovery_target_time}, then promoted
 * ({@code recovery_target_action=promote}, {@code recovery.signal}). By default the server is started here with the
 * embedded PostgreSQL binaries, watched until recovery is done and stopped cleanly; {@code prepareOnly} leaves the
 * directory with the recovery settings in {@code postgresql.auto.conf} for a server of one's own to start.
 */
public final class PgRestore {

    /**
     * @param baseDir    base backups ({@link PgBackup} layout)
     * @param walArchive the WAL archive the server fills ({@code archive_command})
     * @param target     recover up to this time (commits after it are not replayed); {@code null}: to the end of
     *                   the archive
     * @param baseName   a base backup by name; {@code null}: the newest one finished before {@code target}
     * @param into       the new server home ({@code <into>/data}); must not exist or be empty
     * @param currentWal the old server's {@code pg_wal}, stopped, whose not yet archived segments are replayed too
     *                   ({@code null}: archive only)
     * @param archive    whether the restored server archives into {@code walArchive} from its promotion on (the new
     *                   timeline's history file first, waited for): yes when it replaces the server that fills the
     *                   archive; no for a copy to look at, whose timeline must not become the archive's latest
     */
    public record Request(Path baseDir, Path walArchive, OffsetDateTime target, String baseName, Path into, int port,
            Path currentWal, boolean prepareOnly, boolean keepRunning, Duration timeout, boolean archive) {
    }

    /** @param server the restored server if kept running, else {@code null} */
    public record Result(Path home, PgBackup.Info base, String stoppedAt, String lastTransaction, String timeline,
            EmbeddedPostgres server) {
    }

    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    private PgRestore() {
    }

    /** ISO-8601 ({@code 2026-11-23T02:30:00Z}, {@code ...+01:00}) or PostgreSQL's {@code 2026-11-23 02:30:00+00}. */
    public static OffsetDateTime parseTime(String text) {
        String t = text.trim().replace(' ', 'T');
        Matcher shortOffset = Pattern.compile("([+-]\\d{2})$").matcher(t);
        if (shortOffset.find()) {
            t = t.substring(0, shortOffset.start()) + shortOffset.group(1) + ":00";
        }
        try {
            return OffsetDateTime.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a time with a zone: '" + text
                    + "' (e.g. 2026-11-23T02:30:00Z or '2026-11-23 02:30:00+00')");
        }
    }

    public static Result restore(Request r) throws IOException, SQLException, InterruptedException {
        PgBackup.Info base = pick(r);
        Path home = r.into().toAbsolutePath().normalize();
        if (Files.exists(home)) {
            try (var entries = Files.list(home)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(home + " is not empty: a restore builds a new data directory");
                }
            }
        }
        Files.createDirectories(home);
        try {
            return restoreInto(r, base, home);
        } catch (IOException | SQLException | InterruptedException | RuntimeException e) {
            // a failed restore leaves nothing half-made behind (what went wrong is in the message)
            PgBackup.deleteTree(home);
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (message.contains("recovery ended before configured recovery target was reached")) {
                throw new IOException("the WAL archive ends before " + r.target() + ": the WAL after it is not"
                        + " archived yet (SELECT pg_switch_wal() on the server, or, for the local run, stop it and"
                        + " restore --in-place, which also replays its pg_wal)\n" + message, e);
            }
            throw e;
        }
    }

    private static Result restoreInto(Request r, PgBackup.Info base, Path home)
            throws IOException, SQLException, InterruptedException {
        Path data = home.resolve("data");
        copyTree(base.dir().resolve("data"), data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        // the backup has no WAL of its own: everything comes from the archive (and the old pg_wal, if given)
        Files.createDirectories(data.resolve("pg_wal/archive_status"));
        Files.createDirectories(data.resolve("pg_wal/summaries"));
        if (r.currentWal() != null && Files.isDirectory(r.currentWal())) {
            try (var segments = Files.list(r.currentWal())) {
                for (Path seg : (Iterable<Path>) segments.filter(
                        f -> f.getFileName().toString().matches("[0-9A-F]{24}|[0-9A-F]{8}\\.history"))::iterator) {
                    Files.copy(seg, data.resolve("pg_wal").resolve(seg.getFileName()));
                }
            }
        }
        Files.createFile(data.resolve("recovery.signal"));
        String restoreCommand = EmbeddedPostgres.restoreCommand(r.walArchive());
        String targetTime = r.target() == null ? null : PG_TIME.format(r.target());
        if (r.prepareOnly()) {
            StringBuilder conf = new StringBuilder("\n# strata-restore: point-in-time recovery settings; remove them"
                    + " once the server has been promoted\n");
            conf.append("restore_command = '").append(restoreCommand.replace("'", "''")).append("'\n");
            if (targetTime != null) {
                conf.append("recovery_target_time = '").append(targetTime).append("'\n");
                conf.append("recovery_target_action = 'promote'\n");
            }
            Files.writeString(data.resolve("postgresql.auto.conf"), conf, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return new Result(home, base, null, null, null, null);
        }
        EmbeddedPostgres server = new EmbeddedPostgres(home, r.port(), true).setting("restore_command", restoreCommand)
                .startupTimeout(r.timeout());
        if (targetTime != null) {
            server.setting("recovery_target_time", targetTime).setting("recovery_target_action", "promote");
        }
        if (r.archive()) {
            server.archiveWalTo(r.walArchive());
        }
        boolean keep = false;
        try {
            server.start();
            awaitPromotion(server, r.timeout());
            if (r.archive()) {
                awaitHistoryArchived(server, r.walArchive(), r.timeout());
            }
            String log = Files.readString(server.logFile());
            Result result = new Result(home, base, lastMatch(log, "recovery stopping [^\\n]*"),
                    lastMatch(log, "last completed transaction was at log time [^\\n]*"),
                    lastMatch(log, "selected new timeline ID: \\d+"), r.keepRunning() ? server : null);
            keep = r.keepRunning();
            return result;
        } finally {
            if (!keep) {
                server.stop();
            }
        }
    }

    /** The base backup named, or the newest one that was consistent before the target time. */
    static PgBackup.Info pick(Request r) throws IOException {
        List<PgBackup.Info> all = PgBackup.list(r.baseDir());
        if (all.isEmpty()) {
            throw new IOException("no base backup in " + r.baseDir() + " (take one with strata-backup pg)");
        }
        if (r.baseName() != null) {
            return all.stream().filter(b -> b.name().equals(r.baseName())).findFirst()
                    .orElseThrow(() -> new IOException("no base backup named " + r.baseName() + " in " + r.baseDir()));
        }
        if (r.target() == null) {
            return all.get(all.size() - 1);
        }
        PgBackup.Info best = null;
        for (PgBackup.Info b : all) {
            if (!b.stoppedAt().isAfter(r.target())) {
                best = b;
            }
        }
        if (best == null) {
            throw new IOException("no base backup finished before " + r.target() + "; the oldest finished at "
                    + all.get(0).stoppedAt());
        }
        return best;
    }

    private static void awaitPromotion(EmbeddedPostgres server, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isRunning()) {
                throw new IOException("recovery failed, the server stopped:\n" + tail(server.logFile()));
            }
            try (Connection c = DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres", EmbeddedPostgres.USER,
                    EmbeddedPostgres.PASSWORD); ResultSet rs = c.createStatement()
                            .executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return;
                }
            } catch (SQLException e) {
                // between recovery's end and the end-of-recovery checkpoint: ask again
            }
            Thread.sleep(100);
        }
        throw new IOException("recovery not done after " + timeout + ":\n" + tail(server.logFile()));
    }

    /**
     * The new timeline's history file must be in the archive before anyone relies on it: without it a later
     * recovery would not know the timeline exists and would follow the old one, mistake included.
     */
    private static void awaitHistoryArchived(EmbeddedPostgres server, Path archive, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String history = null;
        while (System.nanoTime() < deadline) {
            if (history == null) {
                try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres", EmbeddedPostgres.USER,
                        EmbeddedPostgres.PASSWORD); ResultSet rs = c.createStatement().executeQuery(
                                "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")) {
                    rs.next();
                    history = rs.getString(1) + ".history";
                } catch (SQLException e) {
                    // ask again
                }
            }
            if (history != null && Files.isRegularFile(archive.resolve(history))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("the new timeline's history file " + history + " did not reach the archive "
                + archive + ":\n" + tail(server.logFile()));
    }

    private static String lastMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
    }
}
