package dev.strata.storage.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.ListObjectsArgs;
import io.minio.PostPolicy;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;
import io.minio.messages.Item;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.strata.platform.problem.ProblemException;
import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.PresignedPost;
import dev.strata.storage.domain.PresignedUrl;

/**
 * Every S3 call the gateway makes. The MinIO client blocks, so each operation is offered as a {@link Uni} that
 * runs on the worker pool; the synchronous variants are for code already off the event loop (startup, sweeper).
 */
@ApplicationScoped
public class ObjectStore {

    private static final Logger LOG = Logger.getLogger(ObjectStore.class);

    private final S3Clients clients;
    private final StorageMetrics metrics;
    private final Clock clock;

    private final Duration timeout;

    public ObjectStore(S3Clients clients, StorageMetrics metrics, Clock clock, StorageConfig config) {
        this.clients = clients;
        this.metrics = metrics;
        this.clock = clock;
        this.timeout = config.s3Timeout();
    }

    /**
     * Runs blocking S3 work on the worker pool, turning backend failures into problems. The whole operation is
     * bounded by {@code strata.storage.s3-timeout}: a stalled S3 is a 503 problem, never a hung request (each
     * client call is bounded by the same value, so the worker is freed too).
     */
    public <T> Uni<T> blocking(Callable<T> work) {
        return Uni.createFrom().<T>emitter(emitter -> {
            // set when the subscriber is gone (cancelled by the timeout below)
            AtomicBoolean gone = new AtomicBoolean();
            emitter.onTermination(() -> gone.set(true));
            T result;
            try {
                result = work.call();
            } catch (Exception e) {
                if (gone.get()) {
                    // already answered 503 by the timeout below; only the worker was still waiting
                    LOG.debugf("S3 call failed after its request had timed out: %s", e.toString());
                    return;
                }
                emitter.fail(e instanceof ProblemException p ? p : translate(e));
                return;
            }
            emitter.complete(result);
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                // a stalled S3 is a 503 within seconds, never a hung request
                .ifNoItem().after(timeout).failWith(() -> {
                    LOG.warnf("S3 operation did not finish within %s", timeout);
                    return ProblemException.dependencyDown("Object storage",
                            new TimeoutException("S3 did not answer within " + timeout));
                });
    }

    public Uni<Optional<ObjectInfo>> stat(String bucket, String key) {
        return blocking(() -> statNow(bucket, key));
    }

    public Optional<ObjectInfo> statNow(String bucket, String key) throws Exception {
        try {
            StatObjectResponse r = metrics.s3("stat",
                    () -> clients.internal().statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
            return Optional.of(new ObjectInfo(bucket, key, r.size(), r.contentType(), r.etag(),
                    r.lastModified() == null ? null : r.lastModified().toInstant()));
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The first {@code length} bytes only (a ranged GET), for content sniffing. */
    public byte[] headNow(String bucket, String key, int length) throws Exception {
        return metrics.s3("get", () -> {
            try (InputStream in = clients.internal().getObject(
                    GetObjectArgs.builder().bucket(bucket).object(key).offset(0L).length((long) length).build())) {
                return in.readNBytes(length);
            }
        });
    }

    /** What one streamed read of an object saw: its leading bytes, length and SHA-256 (lower-case hex). */
    public record Digest(byte[] head, long length, String sha256) {
    }

    /**
     * Reads the whole object once, streamed (never held in memory), pinned to the version {@code info} describes
     * ({@code If-Match} its ETag): the leading bytes, the length and the hash all belong to that version. An object
     * replaced since it was stat'ed is a 409 (verify again), a deleted one a 404.
     */
    public Digest digestNow(ObjectInfo info, int headLength) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        GetObjectArgs.Builder args = GetObjectArgs.builder().bucket(info.bucket()).object(info.key());
        if (info.etag() != null && !info.etag().isBlank()) {
            args.matchETag(info.etag());
        }
        try {
            // the whole read is the operation: a stream that breaks half-way is an S3 error too
            return metrics.s3("get", () -> {
                try (InputStream in = new DigestInputStream(clients.internal().getObject(args.build()), sha256)) {
                    byte[] head = in.readNBytes(headLength);
                    long length = head.length;
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) >= 0;) {
                        length += n;
                    }
                    if (length != info.size()) {
                        throw changedWhileReading();
                    }
                    return new Digest(head, length, HexFormat.of().formatHex(sha256.digest()));
                }
            });
        } catch (ErrorResponseException e) {
            if (e.response() != null && e.response().code() == 412
                    || e.errorResponse() != null && "PreconditionFailed".equals(e.errorResponse().code())) {
                throw changedWhileReading();
            }
            throw e;
        }
    }

    private static ProblemException changedWhileReading() {
        return ProblemException.conflict("The object was replaced while it was being read; verify it again");
    }

    /**
     * One page of a listing in key order, starting after {@code startAfter}: ListObjects v2 with
     * {@code max-keys} and {@code start-after}, and reading stops once the page is full, so a call never walks
     * the whole bucket.
     */
    public List<ObjectInfo> listPageNow(String bucket, String prefix, String startAfter, int limit) throws Exception {
        return metrics.s3("list", () -> listPage(bucket, prefix, startAfter, limit));
    }

    private List<ObjectInfo> listPage(String bucket, String prefix, String startAfter, int limit) throws Exception {
        List<ObjectInfo> out = new ArrayList<>();
        ListObjectsArgs.Builder args = ListObjectsArgs.builder().bucket(bucket).recursive(true).maxKeys(limit);
        if (prefix != null) {
            args.prefix(prefix);
        }
        if (startAfter != null) {
            args.startAfter(startAfter);
        }
        for (Result<Item> result : clients.internal().listObjects(args.build())) {
            Item item = result.get();
            if (item.isDir()) {
                continue;
            }
            out.add(new ObjectInfo(bucket, item.objectName(), item.size(), null, item.etag(),
                    item.lastModified() == null ? null : item.lastModified().toInstant()));
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    public void deleteNow(String bucket, String key) throws Exception {
        try {
            metrics.s3("delete", () -> {
                clients.internal().removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
                return null;
            });
        } catch (ErrorResponseException e) {
            if (!isMissing(e)) {
                throw e;
            }
        }
    }

    public Uni<Void> delete(String bucket, String key) {
        return blocking(() -> {
            deleteNow(bucket, key);
            return null;
        });
    }

    public void copyNow(String sourceBucket, String sourceKey, String targetBucket, String targetKey) throws Exception {
        metrics.s3("copy", () -> clients.internal().copyObject(CopyObjectArgs.builder().bucket(targetBucket)
                .object(targetKey).source(CopySource.builder().bucket(sourceBucket).object(sourceKey).build()).build()));
    }

    public void putNow(String bucket, String key, byte[] body, String contentType) throws Exception {
        metrics.s3("put", () -> clients.internal().putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(body), body.length, -1).contentType(contentType).build()));
    }

    /** Objects under a prefix (recursive) that pass the filter. */
    public List<ObjectInfo> listNow(String bucket, String prefix, Predicate<ObjectInfo> filter) throws Exception {
        return metrics.s3("list", () -> list(bucket, prefix, filter));
    }

    /** What one bucket holds (current objects; older versions are not listed), reading at most {@code max} keys. */
    public record BucketCount(long objects, long bytes, boolean truncated) {
    }

    /**
     * Counts a bucket's objects and bytes without keeping them (one streamed listing), stopping after {@code max}
     * objects: a count of a huge bucket is then a lower bound ({@code truncated}). Blocking.
     */
    public BucketCount countNow(String bucket, long max) throws Exception {
        return metrics.s3("list", () -> {
            long objects = 0;
            long bytes = 0;
            for (Result<Item> result : clients.internal().listObjects(
                    ListObjectsArgs.builder().bucket(bucket).recursive(true).maxKeys(1000).build())) {
                Item item = result.get();
                if (item.isDir()) {
                    continue;
                }
                if (objects >= max) {
                    return new BucketCount(objects, bytes, true);
                }
                objects++;
                bytes += item.size();
            }
            return new BucketCount(objects, bytes, false);
        });
    }

    private List<ObjectInfo> list(String bucket, String prefix, Predicate<ObjectInfo> filter) throws Exception {
        List<ObjectInfo> out = new ArrayList<>();
        ListObjectsArgs.Builder args = ListObjectsArgs.builder().bucket(bucket).recursive(true);
        if (prefix != null) {
            args.prefix(prefix);
        }
        for (Result<Item> result : clients.internal().listObjects(args.build())) {
            Item item = result.get();
            if (item.isDir()) {
                continue;
            }
            ObjectInfo info = new ObjectInfo(bucket, item.objectName(), item.size(), null, item.etag(),
                    item.lastModified() == null ? null : item.lastModified().toInstant());
            if (filter.test(info)) {
                out.add(info);
            }
        }
        return out;
    }

    /**
     * A presigned GET for the public endpoint that makes browsers save the object under {@code fileName}
     * (which must already be safe: it is put in a header by S3).
     */
    public PresignedUrl presignGetNow(String bucket, String key, Duration expiry, String fileName,
            String operation) throws Exception {
        Map<String, String> query = new LinkedHashMap<>();
        if (fileName != null) {
            query.put("response-content-disposition", "attachment; filename=\"" + fileName + "\"");
        }
        String url = clients.presigner().getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET)
                .bucket(bucket).object(key).expiry((int) expiry.toSeconds()).extraQueryParams(query).build());
        metrics.presigned(bucket, operation);
        return new PresignedUrl(url, "GET", clock.instant().plus(expiry));
    }

    /**
     * A POST policy that pins bucket, key, Content-Type and a size range. Backends that enforce POST policies
     * refuse anything else at upload time; completion checks the same things again for those that do not.
     */
    public PresignedPost presignPostNow(String bucket, String key, String contentType, long maxSize, Duration expiry,
            String operation) throws Exception {
        Instant expiresAt = clock.instant().plus(expiry);
        PostPolicy policy = new PostPolicy(bucket, expiresAt.atZone(ZoneOffset.UTC));
        policy.addEqualsCondition("key", key);
        policy.addEqualsCondition("Content-Type", contentType);
        policy.addContentLengthRangeCondition(1L, maxSize);
        Map<String, String> signed = clients.presigner().getPresignedPostFormData(policy);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", key);
        fields.put("Content-Type", contentType);
        fields.putAll(signed);
        metrics.presigned(bucket, operation);
        String url = clients.publicEndpoint() + "/" + URLEncoder.encode(bucket, StandardCharsets.UTF_8);
        return new PresignedPost(url, fields, expiresAt);
    }

    public static boolean isMissing(ErrorResponseException e) {
        String code = e.errorResponse() == null ? null : e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                || (e.response() != null && e.response().code() == 404);
    }

    private static RuntimeException translate(Exception e) {
        if (e instanceof ErrorResponseException er && isMissing(er)) {
            return ProblemException.notFound("No such object");
        }
        // every MinIO failure (server errors, unreadable answers, timeouts) means the backend is not usable now
        if (e instanceof IOException || e instanceof io.minio.errors.MinioException) {
            LOG.warnf("S3 call failed: %s", e.toString());
            return ProblemException.dependencyDown("Object storage", e);
        }
        LOG.error("S3 call failed", e);
        return e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
}
