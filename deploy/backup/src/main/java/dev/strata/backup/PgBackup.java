package dev.strata.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A base backup of a running PostgreSQL (≥ 15) with the low-level API, which needs nothing but the server and read
 * access to its data directory: {@code pg_backup_start} on one connection kept open, a file copy of the data directory
 * (leaving out what the PostgreSQL documentation says to leave out), {@code pg_backup_stop} waiting until the last WAL
 * segment the backup needs is archived, and its {@code backup_label} (and {@code tablespace_map}) written into the
 * copy. The copy is only good together with the WAL archive: restoring it replays the archive (see {@link PgRestore}).
 *
 * <p>Layout: {@code <base>/<yyyyMMddTHHmmssZ>/data/} and {@code backup.properties}; written under a {@code .partial}
 * name and renamed when complete, so an interrupted backup is never picked for a restore.
 */
public final class PgBackup {

    /** The server to back up: how to reach it and where its data directory is (readable by us). */
    public record Source(String jdbcUrl, String user, String password, Path pgData) {
    }

    /** What a finished backup holds; {@code stoppedAt} is the server's clock once it was consistent. */
    public record Info(Path dir, String label, String startLsn, String stopLsn, String startWalFile,
            OffsetDateTime startedAt, OffsetDateTime stoppedAt, String serverVersion, long files, long bytes) {

        public String name() {
            return dir.getFileName().toString();
        }
    }

    static final String PROPERTIES = "backup.properties";
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** Top-level entries whose contents are never copied (the directory itself is kept, empty). */
    private static final Set<String> EMPTY_DIRS = Set.of("pg_wal", "pg_dynshmem", "pg_notify", "pg_serial",
            "pg_snapshots", "pg_stat_tmp", "pg_subtrans", "pg_replslot");
    /** Top-level files left out: the running server's own, a previous backup's or recovery's. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "backup_label.old", "tablespace_map", "tablespace_map.old", "backup_manifest", "postgresql.auto.conf.tmp",
            "current_logfiles.tmp", "recovery.signal", "standby.signal");

    private PgBackup() {
    }

    /** Takes a base backup of {@code source} into a new directory under {@code baseDir}. */
    public static Info take(Source source, Path baseDir) throws IOException, SQLException {
        Path pgData = source.pgData().toAbsolutePath().normalize();
        if (!Files.isRegularFile(pgData.resolve("PG_VERSION"))) {
            throw new IOException(pgData + " is not a PostgreSQL data directory (no PG_VERSION)");
        }
        try (Connection c = DriverManager.getConnection(source.jdbcUrl(), source.user(), source.password());
                Statement s = c.createStatement()) {
            int version = Integer.parseInt(single(s, "SHOW server_version_num"));
            if (version < 150000) {
                throw new IOException("PostgreSQL " + version + ": this backup uses pg_backup_start/pg_backup_stop"
                        + " (PostgreSQL 15 or newer)");
            }
            String archiveMode = single(s, "SHOW archive_mode");
            if (!archiveMode.equals("on") && !archiveMode.equals("always")) {
                throw new IOException("archive_mode is " + archiveMode + ": a base backup without a WAL archive can"
                        + " restore no point in time (turn archiving on first, see deploy/backup/README.md)");
            }
            Path serverData = Path.of(single(s, "SHOW data_directory"));
            if (!sameDirectory(serverData, pgData)) {
                throw new IOException("the server's data directory is " + serverData + ", not " + pgData);
            }
            if (!single(s, "SELECT count(*) FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')")
                    .equals("0")) {
                throw new IOException("tablespaces outside the data directory are not supported by this backup");
            }
            String serverVersion = single(s, "SHOW server_version");
            OffsetDateTime startedAt = now(s);
            String stamp = STAMP.format(startedAt.withOffsetSameInstant(ZoneOffset.UTC));
            String label = "strata-" + stamp;
            Files.createDirectories(baseDir);
            Path dir = baseDir.resolve(stamp);
            Path partial = baseDir.resolve(stamp + ".partial");
            if (Files.exists(dir) || Files.exists(partial)) {
                throw new IOException(dir + " already exists (one backup per second at most)");
            }
            Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            boolean started = false;
            try {
                String startLsn;
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_backup_start(?, true)::text")) {
                    ps.setString(1, label);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        startLsn = rs.getString(1);
                    }
                }
                started = true;
                long[] counts = copyDataDirectory(pgData, partial.resolve("data"));
                String stopLsn;
                String labelFile;
                String spcmapFile;
                // waits until every WAL segment the backup needs has been archived
                try (ResultSet rs = s.executeQuery("SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(true)")) {
                    rs.next();
                    stopLsn = rs.getString(1);
                    labelFile = rs.getString(2);
                    spcmapFile = rs.getString(3);
                }
                started = false;
                OffsetDateTime stoppedAt = now(s);
                Files.writeString(partial.resolve("data").resolve("backup_label"), labelFile);
                if (spcmapFile != null && !spcmapFile.isEmpty()) {
                    Files.writeString(partial.resolve("data").resolve("tablespace_map"), spcmapFile);
                }
                Matcher m = Pattern.compile("START WAL LOCATION: \\S+ \\(file ([0-9A-F]{24})\\)").matcher(labelFile);
                String startWal = m.find() ? m.group(1) : "";
                Info info = new Info(dir, label, startLsn, stopLsn, startWal, startedAt, stoppedAt, serverVersion,
                        counts[0], counts[1]);
                Properties p = new Properties();
                p.setProperty("label", label);
                p.setProperty("start-lsn", startLsn);
                p.setProperty("stop-lsn", stopLsn);
                p.setProperty("start-wal-file", startWal);
                p.setProperty("started-at", startedAt.toString());
                p.setProperty("stopped-at", stoppedAt.toString());
                p.setProperty("server-version", serverVersion);
                p.setProperty("system-identifier", single(s, "SELECT system_identifier::text FROM pg_control_system()"));
                p.setProperty("files", Long.toString(counts[0]));
                p.setProperty("bytes", Long.toString(counts[1]));
                try (var out = Files.newBufferedWriter(partial.resolve(PROPERTIES))) {
                    p.store(out, "strata base backup: restore with deploy/backup/strata-restore pg");
                }
                Files.move(partial, dir);
                return info;
            } catch (IOException | SQLException | RuntimeException e) {
                if (started) {
                    try {
                        s.execute("SELECT pg_backup_stop(false)");
                    } catch (SQLException ignored) {
                        // closing the connection aborts the backup anyway
                    }
                }
                deleteTree(partial);
                throw e;
            }
        }
    }

    /** The finished base backups under {@code baseDir}, oldest first. */
    public static List<Info> list(Path baseDir) throws IOException {
        if (!Files.isDirectory(baseDir)) {
            return List.of();
        }
        try (var dirs = Files.list(baseDir)) {
            return dirs.filter(d -> !d.getFileName().toString().endsWith(".partial"))
                    .filter(d -> Files.isRegularFile(d.resolve(PROPERTIES))).map(PgBackup::read)
                    .sorted(java.util.Comparator.comparing(Info::stoppedAt)).toList();
        }
    }

    static Info read(Path dir) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve(PROPERTIES))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Info(dir, p.getProperty("label"), p.getProperty("start-lsn"), p.getProperty("stop-lsn"),
                p.getProperty("start-wal-file", ""), OffsetDateTime.parse(p.getProperty("started-at")),
                OffsetDateTime.parse(p.getProperty("stopped-at")), p.getProperty("server-version"),
                Long.parseLong(p.getProperty("files", "0")), Long.parseLong(p.getProperty("bytes", "0")));
    }

    /**
     * Copies the data directory as the documentation's "Making a Base Backup Using the Low Level API" says: files
     * may change or vanish while we copy (WAL replay repairs the former, the latter are skipped); the contents of
     * {@code pg_wal/} and of the runtime-only directories are left out, as are the running server's own files.
     *
     * @return {files, bytes}
     */
    static long[] copyDataDirectory(Path from, Path to) throws IOException {
        long[] counts = new long[2];
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(dir);
                Files.createDirectories(to.resolve(rel.toString()));
                if (rel.getNameCount() == 1 && EMPTY_DIRS.contains(rel.toString())) {
                    if (rel.toString().equals("pg_wal")) {
                        Files.createDirectories(to.resolve("pg_wal/archive_status"));
                        Files.createDirectories(to.resolve("pg_wal/summaries"));
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (dir.getFileName() != null && dir.getFileName().toString().startsWith("pgsql_tmp")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(file);
                String name = file.getFileName().toString();
                if ((rel.getNameCount() == 1 && SKIPPED_FILES.contains(name)) || name.equals("pg_internal.init")
                        || name.startsWith("pgsql_tmp")) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink() && rel.toString().equals("pg_wal")) {
                    // WAL kept elsewhere (initdb -X): the backup holds none of it either way
                    Files.createDirectories(to.resolve("pg_wal/archive_status"));
                    Files.createDirectories(to.resolve("pg_wal/summaries"));
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink() || !attrs.isRegularFile()) {
                    throw new IOException("unexpected non-regular file in the data directory: " + file);
                }
                try {
                    Files.copy(file, to.resolve(rel.toString()));
                    counts[0]++;
                    counts[1] += Files.size(to.resolve(rel.toString()));
                } catch (NoSuchFileException gone) {
                    // dropped while we copied: WAL replay knows
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return counts;
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (IOException e) {
            return a.normalize().equals(b.normalize());
        }
    }

    static OffsetDateTime now(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class);
        }
    }

    static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
