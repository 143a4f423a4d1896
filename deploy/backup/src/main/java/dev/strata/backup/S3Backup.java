package dev.strata.backup;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;

/**
 * A backup of one bucket (by default {@code kyc-documents}) into a directory, and its restore, both checked by
 * SHA-256. The backup holds each object's bytes once under {@code objects/<sha256>} and a {@code manifest.tsv} of
 * every key with its checksum, size, content type and user metadata; {@code manifest.sha256} guards the manifest.
 * A restore first checks every backed-up file against the manifest, then puts back each object that is missing or
 * differs, and reads every object back to verify its checksum; {@code check} only compares.
 */
public final class S3Backup {

    public static final String DEFAULT_BUCKET = "kyc-documents";
    static final String MANIFEST = "manifest.tsv";

    public record Endpoint(String url, String accessKey, String secretKey) {

        MinioClient client() {
            // a region set: no location lookup before the first call
            return MinioClient.builder().endpoint(url).credentials(accessKey, secretKey).region("us-east-1").build();
        }
    }

    public record Entry(String key, String sha256, long size, String contentType, Map<String, String> metadata) {
    }

    public record Summary(Path dir, String bucket, int objects, long bytes) {
    }

    /** {@code restored}: put back; {@code unchanged}: already equal; {@code problems}: one line each (empty = good). */
    public record Report(int checked, int restored, int unchanged, List<String> problems) {

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private S3Backup() {
    }

    /** Copies every object of {@code bucket} into a new directory {@code dir} (must not exist yet). */
    public static Summary backup(Endpoint endpoint, String bucket, Path dir) throws Exception {
        MinioClient s3 = endpoint.client();
        if (!s3.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            throw new IOException("bucket " + bucket + " does not exist at " + endpoint.url());
        }
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        if (Files.exists(dir) || Files.exists(partial)) {
            throw new IOException(dir + " already exists");
        }
        Files.createDirectories(partial.getParent());
        Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path objects = Files.createDirectories(partial.resolve("objects"));
        List<Entry> entries = new ArrayList<>();
        long bytes = 0;
        try {
            for (Result<Item> result : s3.listObjects(ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
                Item item = result.get();
                if (item.isDir()) {
                    continue;
                }
                StatObjectResponse stat = s3.statObject(StatObjectArgs.builder().bucket(bucket)
                        .object(item.objectName()).build());
                Path tmp = objects.resolve("download.tmp");
                String sha;
                long size;
                try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(bucket).object(item.objectName())
                        .build())) {
                    DigestInputStream digest = new DigestInputStream(in, sha256());
                    size = Files.copy(digest, tmp, StandardCopyOption.REPLACE_EXISTING);
                    sha = HexFormat.of().formatHex(digest.getMessageDigest().digest());
                }
                Path target = objects.resolve(sha);
                if (Files.exists(target)) {
                    Files.delete(tmp);
                } else {
                    Files.move(tmp, target);
                }
                entries.add(new Entry(item.objectName(), sha, size, stat.contentType(), new TreeMap<>(stat.userMetadata())));
                bytes += size;
            }
            writeManifest(partial, bucket, entries);
            Files.move(partial, dir);
        } catch (Exception e) {
            PgBackup.deleteTree(partial);
            throw e;
        }
        return new Summary(dir, bucket, entries.size(), bytes);
    }

    /** Puts back every object of the backup that is missing or differs, then verifies each by its checksum. */
    public static Report restore(Endpoint endpoint, String bucket, Path dir) throws Exception {
        return run(endpoint, bucket, dir, false);
    }

    /** Compares the bucket with the backup (missing or different objects are problems); writes nothing. */
    public static Report check(Endpoint endpoint, String bucket, Path dir) throws Exception {
        return run(endpoint, bucket, dir, true);
    }

    private static Report run(Endpoint endpoint, String bucket, Path dir, boolean checkOnly) throws Exception {
        List<Entry> entries = readManifest(dir);
        List<String> problems = new ArrayList<>();
        // the backup itself first: a corrupted copy is never uploaded
        for (Entry e : entries) {
            Path f = dir.resolve("objects").resolve(e.sha256());
            if (!Files.isRegularFile(f)) {
                problems.add("backup is missing the bytes of " + e.key());
            } else if (!sha256(f).equals(e.sha256())) {
                problems.add("backup copy of " + e.key() + " is corrupted (checksum differs)");
            }
        }
        if (!problems.isEmpty()) {
            return new Report(0, 0, 0, problems);
        }
        MinioClient s3 = endpoint.client();
        if (!s3.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            if (checkOnly) {
                return new Report(0, 0, 0, List.of("bucket " + bucket + " does not exist"));
            }
            s3.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        }
        int restored = 0;
        int unchanged = 0;
        for (Entry e : entries) {
            String current = currentSha256(s3, bucket, e.key());
            if (e.sha256().equals(current)) {
                unchanged++;
                continue;
            }
            if (checkOnly) {
                problems.add(e.key() + (current == null ? " is missing" : " differs from the backup"));
                continue;
            }
            Path f = dir.resolve("objects").resolve(e.sha256());
            try (InputStream in = Files.newInputStream(f)) {
                PutObjectArgs.Builder put = PutObjectArgs.builder().bucket(bucket).object(e.key()).stream(in, e.size(), -1)
                        .userMetadata(e.metadata());
                if (e.contentType() != null && !e.contentType().isEmpty()) {
                    put.contentType(e.contentType());
                }
                s3.putObject(put.build());
            }
            String back = currentSha256(s3, bucket, e.key());
            if (!e.sha256().equals(back)) {
                problems.add(e.key() + " reads back with checksum " + back + ", not " + e.sha256());
            } else {
                restored++;
            }
        }
        return new Report(entries.size(), restored, unchanged, problems);
    }

    /** The SHA-256 of the object as the server hands it out now, or {@code null} if there is none. */
    static String currentSha256(MinioClient s3, String bucket, String key) throws Exception {
        try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            MessageDigest md = sha256();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0;) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return null;
            }
            throw e;
        }
    }

    static void writeManifest(Path dir, String bucket, List<Entry> entries) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# strata object backup v1\tbucket=").append(bucket).append("\ttaken=")
                .append(Instant.now().atOffset(ZoneOffset.UTC)).append('\n');
        b.append("# sha256\tsize\tkey\tcontent-type\tuser-metadata (all URL-encoded)\n");
        for (Entry e : entries) {
            StringBuilder meta = new StringBuilder();
            e.metadata().forEach((k, v) -> meta.append(meta.length() == 0 ? "" : "&").append(enc(k)).append('=')
                    .append(enc(v)));
            b.append(e.sha256()).append('\t').append(e.size()).append('\t').append(enc(e.key())).append('\t')
                    .append(enc(e.contentType() == null ? "" : e.contentType())).append('\t').append(meta).append('\n');
        }
        Path manifest = dir.resolve(MANIFEST);
        Files.writeString(manifest, b);
        Files.writeString(dir.resolve("manifest.sha256"), sha256(manifest) + "  " + MANIFEST + "\n");
    }

    static List<Entry> readManifest(Path dir) throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new IOException("no " + MANIFEST + " in " + dir + ": not an object backup");
        }
        String expected = Files.readString(dir.resolve("manifest.sha256")).trim().split("\\s+")[0];
        if (!sha256(manifest).equals(expected)) {
            throw new IOException(manifest + " does not match manifest.sha256: the backup is damaged");
        }
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(manifest)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            Map<String, String> meta = new LinkedHashMap<>();
            if (!f[4].isEmpty()) {
                for (String kv : f[4].split("&")) {
                    String[] p = kv.split("=", 2);
                    meta.put(dec(p[0]), dec(p[1]));
                }
            }
            entries.add(new Entry(dec(f[2]), f[0], Long.parseLong(f[1]), dec(f[3]), meta));
        }
        return entries;
    }

    /** The bucket a backup directory was taken from (its manifest's header). */
    static String bucketOf(Path dir) throws IOException {
        String header = Files.readAllLines(dir.resolve(MANIFEST)).get(0);
        for (String part : header.split("\t")) {
            if (part.startsWith("bucket=")) {
                return part.substring("bucket=".length());
            }
        }
        return DEFAULT_BUCKET;
    }

    static String sha256(Path f) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0;) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
