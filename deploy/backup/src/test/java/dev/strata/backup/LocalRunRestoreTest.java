package dev.strata.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.strata.testing.EmbeddedPostgres;
import dev.strata.testing.EmbeddedS3;
import dev.strata.testing.StrataServers;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;

/**
 * The local run's procedure, as the README gives it: the stores started as {@code strata-local} starts them (durable
 * data directory, WAL archived into {@code <data-dir>/backups/wal}), {@code strata-backup pg} and {@code s3} with
 * nothing but {@code --data-dir}, a mistake, the local run stopped, {@code strata-restore pg --in-place} to the time
 * before the mistake — which also replays the WAL not yet archived, still in the stopped server's {@code pg_wal} —
 * and the local run started again on the restored database, archiving on a new timeline.
 */
class LocalRunRestoreTest {

    private StrataServers servers;
    private Path dataDir;

    @AfterEach
    void stop() throws Exception {
        if (servers != null) {
            servers.stop();
        }
        if (dataDir != null) {
            PgBackup.deleteTree(dataDir);
        }
    }

    @Test
    void inPlaceRestoreOfTheLocalRunBringsBackWhatAMistakeDeleted() throws Exception {
        // the local run's embedded stores are what is under test: servers named by the environment are someone
        // else's, and a file-level backup needs the data directory on this machine anyway
        for (String external : List.of("STRATA_PG_URL", "STRATA_S3_ENDPOINT", "STRATA_REDIS_URL")) {
            Assumptions.assumeTrue(System.getenv(external) == null || System.getenv(external).isBlank(),
                    external + " is set: the local run's stores are not embedded here");
        }
        long t0 = System.nanoTime();
        dataDir = Files.createTempDirectory("strata-local-backup-");
        servers = start();
        EmbeddedPostgres pg = servers.embeddedPostgres().orElseThrow();
        EmbeddedS3 s3 = servers.embeddedS3().orElseThrow();
        assertEquals(StrataServers.walArchive(dataDir), pg.walArchive());
        String pgPort = Integer.toString(pg.port());
        String s3Port = Integer.toString(s3.port());

        PointInTimeRecoveryTest.cli("backup", "pg", "--data-dir", dataDir.toString(), "--pg-port", pgPort);
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), s3.secretKey())
                .region("us-east-1").build();
        client.makeBucket(MakeBucketArgs.builder().bucket("kyc-documents").build());
        byte[] doc = "%PDF-1.7 a passport".getBytes(StandardCharsets.UTF_8);
        client.putObject(PutObjectArgs.builder().bucket("kyc-documents").object("app-1/passport/doc-1")
                .stream(new ByteArrayInputStream(doc), doc.length, -1).contentType("application/pdf").build());
        String out = PointInTimeRecoveryTest.cli("backup", "s3", "--data-dir", dataDir.toString(), "--s3-port", s3Port);
        assertTrue(out.contains("1 objects"), out);

        OffsetDateTime beforeMistake;
        try (Connection c = connect(pg); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA kyc");
            s.execute("CREATE TABLE kyc.applications (id int PRIMARY KEY, status text)");
            s.execute("INSERT INTO kyc.applications SELECT g, 'approved' FROM generate_series(1, 100) g");
            Thread.sleep(20);
            beforeMistake = PgBackup.now(s);
            Thread.sleep(20);
            s.execute("UPDATE kyc.applications SET status = 'rejected'");
            // no WAL switch: the mistake is only in the live segment, not yet in the archive
        }
        servers.stop();
        servers = null;

        out = PointInTimeRecoveryTest.cli("restore", "pg", "--data-dir", dataDir.toString(), "--pg-port", pgPort,
                "--target-time", beforeMistake.toString(), "--in-place", "--timeout-seconds", "60");
        assertTrue(out.contains("recovery stopping before commit"), out);
        try (var dirs = Files.list(dataDir)) {
            assertTrue(dirs.anyMatch(d -> d.getFileName().toString().startsWith("postgres.before-restore-")));
        }

        servers = start();
        pg = servers.embeddedPostgres().orElseThrow();
        try (Connection c = connect(pg); Statement s = c.createStatement()) {
            assertEquals("100", PgBackup.single(s, "SELECT count(*) FROM kyc.applications WHERE status = 'approved'"));
            s.execute("INSERT INTO kyc.applications VALUES (101, 'submitted')");
        }
        // the next base backup of the restored database works as before
        out = PointInTimeRecoveryTest.cli("backup", "pg", "--data-dir", dataDir.toString(), "--pg-port",
                Integer.toString(pg.port()));
        assertEquals(2, PgBackup.list(dataDir.resolve("backups/base")).size());
        try (var wal = Files.list(StrataServers.walArchive(dataDir))) {
            List<String> names = wal.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.contains("00000002.history"), names.toString());
        }
        s3 = servers.embeddedS3().orElseThrow();
        out = PointInTimeRecoveryTest.cli("restore", "s3", "--data-dir", dataDir.toString(), "--s3-port",
                Integer.toString(s3.port()), "--check", "--from", onlyS3Backup().toString());
        assertTrue(out.contains("1 already equal"), out);
        System.out.printf("local run restore test: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    private Path onlyS3Backup() throws Exception {
        try (var dirs = Files.list(dataDir.resolve("backups/s3"))) {
            return dirs.findFirst().orElseThrow();
        }
    }

    private StrataServers start() {
        // as StrataLocal does
        StrataServers s = StrataServers.create(new StrataServers.Options(dataDir, true, EmbeddedS3.Backend.FILESYSTEM,
                0, 0, 0)).archivePostgresWal();
        s.start();
        return s;
    }

    private static Connection connect(EmbeddedPostgres pg) throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, EmbeddedPostgres.PASSWORD);
    }
}
