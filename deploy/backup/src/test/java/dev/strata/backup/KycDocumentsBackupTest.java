package dev.strata.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strata.testing.EmbeddedS3;
import dev.strata.testing.Ports;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;

/**
 * kyc-documents on a real S3 server (S3Proxy, on disk as in the local run): back up, lose one object, overwrite
 * another, restore — every object reads back with its original SHA-256, content type and metadata; a corrupted
 * backup is refused before anything is uploaded; {@code --check} tells a damaged bucket from a good one.
 */
class KycDocumentsBackupTest {

    private EmbeddedS3 s3;
    private Path root;

    @AfterEach
    void stop() throws Exception {
        if (s3 != null) {
            s3.stop();
        }
        if (root != null) {
            PgBackup.deleteTree(root);
        }
    }

    @Test
    void backupThenRestoreGivesBackEveryObjectByChecksum() throws Exception {
        long t0 = System.nanoTime();
        root = Files.createTempDirectory("strata-s3-backup-");
        s3 = new EmbeddedS3(root.resolve("s3"), Ports.free(), EmbeddedS3.Backend.FILESYSTEM, "strata-local",
                "backup-test-secret");
        s3.start();
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), s3.secretKey())
                .region("us-east-1").build();
        String bucket = S3Backup.DEFAULT_BUCKET;
        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        Random random = new Random(42);
        Map<String, String> original = new LinkedHashMap<>();
        String application = UUID.randomUUID().toString();
        for (String type : List.of("passport", "id-card", "proof-of-address", "selfie")) {
            for (int i = 0; i < 3; i++) {
                byte[] body = new byte[1000 + random.nextInt(200_000)];
                random.nextBytes(body);
                String key = application + "/" + type + "/" + UUID.randomUUID();
                client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                        .stream(new ByteArrayInputStream(body), body.length, -1).contentType("application/pdf")
                        .userMetadata(Map.of("sha256", sha256(body))).build());
                original.put(key, sha256(body));
            }
        }
        // two keys with the same bytes are stored once in the backup
        byte[] same = "same bytes".getBytes(StandardCharsets.UTF_8);
        for (String key : List.of(application + "/selfie/copy-a", application + "/selfie/copy-b")) {
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(same), same.length, -1).contentType("image/jpeg").build());
            original.put(key, sha256(same));
        }

        Map<String, String> local = Map.of("STRATA_S3_ENDPOINT", s3.endpoint(), "STRATA_S3_ACCESS_KEY",
                s3.accessKey(), "STRATA_S3_SECRET_KEY", s3.secretKey());
        Path backup = root.resolve("backups/s3/kyc-documents-test");
        String out = cli(local, 0, "backup", "s3", "--to", backup.toString());
        assertTrue(out.contains(original.size() + " objects"), out);
        try (var stored = Files.list(backup.resolve("objects"))) {
            assertEquals(original.size() - 1, stored.count(), "identical bytes are kept once");
        }
        assertTrue(cli(local, 0, "restore", "s3", "--from", backup.toString(), "--check").contains("0 problems"));

        // lose one, corrupt another
        List<String> keys = List.copyOf(original.keySet());
        String lost = keys.get(0);
        String corrupted = keys.get(5);
        client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(lost).build());
        byte[] junk = "not the document".getBytes(StandardCharsets.UTF_8);
        client.putObject(PutObjectArgs.builder().bucket(bucket).object(corrupted)
                .stream(new ByteArrayInputStream(junk), junk.length, -1).build());
        out = cli(local, 1, "restore", "s3", "--from", backup.toString(), "--check");
        assertTrue(out.contains(lost + " is missing") && out.contains(corrupted + " differs"), out);

        out = cli(local, 0, "restore", "s3", "--from", backup.toString());
        assertTrue(out.contains("2 restored") && out.contains(original.size() - 2 + " already equal"), out);
        for (Map.Entry<String, String> e : original.entrySet()) {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(e.getKey()).build())) {
                assertEquals(e.getValue(), sha256(in.readAllBytes()), e.getKey());
            }
        }
        StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(lost).build());
        assertEquals("application/pdf", stat.contentType());
        assertEquals(original.get(lost), stat.userMetadata().get("sha256"), "user metadata restored");

        // a damaged backup is refused before anything is uploaded
        try (var stored = Files.list(backup.resolve("objects"))) {
            Path victim = stored.findFirst().orElseThrow();
            Files.write(victim, junk);
        }
        client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(lost).build());
        out = cli(local, 1, "restore", "s3", "--from", backup.toString());
        assertTrue(out.contains("is corrupted"), out);
        assertTrue(out.contains("0 restored"), out);
        assertEquals(null, S3Backup.currentSha256(client, bucket, lost), "nothing uploaded from a damaged backup");
        System.out.printf("kyc-documents backup test: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    private static String cli(Map<String, String> env, int expectedCode, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = new StrataBackup(new PrintStream(buf, true, StandardCharsets.UTF_8), env).runCatching(args);
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(expectedCode, code, out);
        return out;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
