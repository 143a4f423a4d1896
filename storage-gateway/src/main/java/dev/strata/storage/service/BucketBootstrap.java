package dev.strata.storage.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.minio.BucketExistsArgs;
import io.minio.GetBucketEncryptionArgs;
import io.minio.GetBucketVersioningArgs;
import io.minio.GetObjectLockConfigurationArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.SetBucketEncryptionArgs;
import io.minio.SetBucketLifecycleArgs;
import io.minio.SetBucketPolicyArgs;
import io.minio.SetBucketVersioningArgs;
import io.minio.SetObjectLockConfigurationArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Expiration;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.LifecycleRule;
import io.minio.messages.ObjectLockConfiguration;
import io.minio.messages.RetentionDurationYears;
import io.minio.messages.RetentionMode;
import io.minio.messages.RuleFilter;
import io.minio.messages.SseConfiguration;
import io.minio.messages.Status;
import io.minio.messages.VersioningConfiguration;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.BucketRole;
import dev.strata.storage.domain.BucketSettings;
import dev.strata.storage.domain.BucketSettings.Refusal;

/**
 * Creates the buckets and asks the backend for each setting the design wants. S3 servers differ widely
 * (S3Proxy answers 501 to lifecycle and policy, some accept versioning without keeping versions), so every
 * setting is tried on its own, refusals are recorded rather than fatal, and what is refused is logged once,
 * exposed in the readiness check's data and as a gauge. The gateway enforces the refused essentials itself
 * (sweeper for expiry, redirect endpoint for public reads).
 */
@ApplicationScoped
public class BucketBootstrap {

    private static final Logger LOG = Logger.getLogger(BucketBootstrap.class);
    static final String OBJECT_LOCK = "object-lock";
    static final String RETENTION = "retention";
    static final String VERSIONING = "versioning";
    public static final String ENCRYPTION = "default-encryption";
    static final String PUBLIC_READ = "public-read-policy";
    static final String LIFECYCLE = "temp-expiry-lifecycle";

    private final MinioClient s3;
    private final StorageConfig config;
    private final StorageMetrics metrics;
    private final Vertx vertx;
    private final AtomicReference<List<BucketSettings>> report = new AtomicReference<>();
    private volatile String lastFailure;

    public BucketBootstrap(S3Clients clients, StorageConfig config, StorageMetrics metrics, Vertx vertx) {
        this.s3 = clients.internal();
        this.config = config;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        // startup runs on the main thread, so blocking here never stalls the event loop
        if (!tryBootstrap()) {
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        vertx.setTimer(15_000, id -> vertx.executeBlocking(() -> {
            if (!tryBootstrap()) {
                scheduleRetry();
            }
            return null;
        }, false));
    }

    /** @return true when every bucket exists (settings may still have been refused) */
    public synchronized boolean tryBootstrap() {
        if (report.get() != null) {
            return true;
        }
        try {
            List<BucketSettings> all = List.of(kycDocuments(), tokenMetadata(), userUploads());
            report.set(all);
            lastFailure = null;
            publish(all);
            return true;
        } catch (Exception e) {
            lastFailure = e.getClass().getSimpleName();
            LOG.warnf("Bucket bootstrap failed (%s); retrying in 15 s", e.toString());
            return false;
        }
    }

    /** Null until the buckets exist. */
    public List<BucketSettings> report() {
        return report.get();
    }

    public String lastFailure() {
        return lastFailure;
    }

    private BucketSettings kycDocuments() throws Exception {
        StorageConfig.KycDocuments c = config.buckets().kycDocuments();
        Outcome o = outcome(BucketRole.KYC_DOCUMENTS, c.name());
        boolean locked;
        if (!exists(c.name())) {
            // object lock (needed for retention) can only be switched on when the bucket is created
            locked = o.attempt(OBJECT_LOCK, () -> s3.makeBucket(MakeBucketArgs.builder().bucket(c.name()).objectLock(true).build()));
            if (!locked) {
                s3.makeBucket(MakeBucketArgs.builder().bucket(c.name()).build());
            }
        } else {
            locked = o.attempt(OBJECT_LOCK, () -> {
                if (s3.getObjectLockConfiguration(GetObjectLockConfigurationArgs.builder().bucket(c.name()).build()) == null) {
                    throw new Unsupported("object lock is not enabled on the existing bucket");
                }
            });
        }
        o.attempt(VERSIONING, () -> {
            s3.setBucketVersioning(SetBucketVersioningArgs.builder().bucket(c.name())
                    .config(new VersioningConfiguration(VersioningConfiguration.Status.ENABLED, null)).build());
            VersioningConfiguration back = s3.getBucketVersioning(GetBucketVersioningArgs.builder().bucket(c.name()).build());
            if (back == null || back.status() != VersioningConfiguration.Status.ENABLED) {
                throw new Unsupported("accepted but not enabled");
            }
        });
        if (config.requireEncryption()) {
            o.require(ENCRYPTION);
        }
        o.attempt(ENCRYPTION, () -> {
            s3.setBucketEncryption(SetBucketEncryptionArgs.builder().bucket(c.name())
                    .config(SseConfiguration.newConfigWithSseS3Rule()).build());
            // read back: a backend may accept the request and keep nothing
            SseConfiguration back;
            try {
                back = s3.getBucketEncryption(GetBucketEncryptionArgs.builder().bucket(c.name()).build());
            } catch (ErrorResponseException e) {
                throw new Unsupported("accepted but not readable back (" + Outcome.code(e) + ")");
            }
            if (back == null || back.rule() == null || back.rule().sseAlgorithm() == null) {
                throw new Unsupported("accepted but not in force (read back: none)");
            }
        });
        if (locked) {
            o.attempt(RETENTION, () -> s3.setObjectLockConfiguration(SetObjectLockConfigurationArgs.builder()
                    .bucket(c.name()).config(new ObjectLockConfiguration(RetentionMode.GOVERNANCE,
                            new RetentionDurationYears(c.retentionYears()))).build()));
        } else {
            o.refuse(RETENTION, "needs object lock");
        }
        return o.result();
    }

    private BucketSettings tokenMetadata() throws Exception {
        String name = config.buckets().tokenMetadata().name();
        Outcome o = outcome(BucketRole.TOKEN_METADATA, name);
        makeIfMissing(name);
        String policy = """
                {"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":{"AWS":["*"]},\
                "Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}""".formatted(name);
        o.attempt(PUBLIC_READ, () -> s3.setBucketPolicy(SetBucketPolicyArgs.builder().bucket(name).config(policy).build()));
        return o.result();
    }

    private BucketSettings userUploads() throws Exception {
        StorageConfig.UserUploads c = config.buckets().userUploads();
        Outcome o = outcome(BucketRole.USER_UPLOADS, c.name());
        makeIfMissing(c.name());
        // keys are {userId}/temp/..., so no prefix filter can select them: every object in this bucket is a
        // temporary upload by construction (promotion copies out of it), so the rule covers the whole bucket
        int days = (int) Math.max(1, (c.tempExpiry().toHours() + 23) / 24);
        LifecycleRule rule = new LifecycleRule(Status.ENABLED, null, new Expiration((java.time.ZonedDateTime) null, days, null),
                new RuleFilter(""), "strata-temp-expiry", null, null, null);
        o.attempt(LIFECYCLE, () -> s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(c.name())
                .config(new LifecycleConfiguration(List.of(rule))).build()));
        return o.result();
    }

    /** An outcome that knows which of this bucket's settings are required (strata.storage.required-settings). */
    private Outcome outcome(BucketRole role, String bucket) {
        Outcome o = new Outcome(role, bucket);
        for (String entry : config.requiredSettings().orElse(List.of())) {
            String[] parts = entry.trim().split(":", 2);
            if (parts.length == 2 && parts[0].equals(role.id())) {
                o.require(parts[1]);
            }
        }
        return o;
    }

    private boolean exists(String bucket) throws Exception {
        return s3.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
    }

    private void makeIfMissing(String bucket) throws Exception {
        if (!exists(bucket)) {
            try {
                s3.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            } catch (ErrorResponseException e) {
                // another replica may have created it meanwhile
                if (!exists(bucket)) {
                    throw e;
                }
            }
        }
    }

    private void publish(List<BucketSettings> all) {
        List<String> refusals = new ArrayList<>();
        for (BucketSettings b : all) {
            for (String s : b.applied()) {
                gauge(b.bucket(), s, 0);
            }
            for (Refusal r : b.refused()) {
                gauge(b.bucket(), r.setting(), 1);
                refusals.add(b.bucket() + ":" + r.setting() + " (" + r.reason() + ")");
            }
        }
        for (BucketSettings b : all) {
            for (Refusal r : b.failedRequirements()) {
                LOG.errorf("Bucket %s: required setting %s is not in force (%s); the gateway stays unready",
                        b.bucket(), r.setting(), r.reason());
            }
        }
        if (refusals.isEmpty()) {
            LOG.info("Buckets ready; the S3 backend applied every requested setting");
        } else {
            LOG.warnf("Buckets ready; the S3 backend refused %s — the gateway enforces expiry (sweeper) and "
                    + "public reads (redirect endpoint) itself", String.join(", ", refusals));
        }
    }

    private void gauge(String bucket, String setting, int value) {
        Gauge.builder("strata.storage.bucket.setting.unsupported", () -> value)
                .description("1 when the S3 backend refused a bucket setting the gateway asked for")
                .tag("bucket", bucket).tag("setting", setting).register(metrics.registry());
    }

    /** Marks a setting refused without asking the backend. */
    private static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    private interface S3Action {
        void run() throws Exception;
    }

    private static final class Outcome {
        private final BucketRole role;
        private final String bucket;
        private final List<String> applied = new ArrayList<>();
        private final List<Refusal> refused = new ArrayList<>();
        private final List<String> required = new ArrayList<>();

        Outcome(BucketRole role, String bucket) {
            this.role = role;
            this.bucket = bucket;
        }

        /** Refusals are recorded; an unreachable backend propagates (bootstrap is retried). */
        boolean attempt(String setting, S3Action action) throws IOException {
            try {
                action.run();
                applied.add(setting);
                return true;
            } catch (IOException e) {
                throw e;
            } catch (ErrorResponseException e) {
                String code = code(e);
                // S3Proxy and others answer 501 NotImplemented for what they do not have at all
                refuse(setting, code.equals("NotImplemented") || code.equals("HTTP 501")
                        ? "unsupported by backend (" + code + ")" : code);
            } catch (Exception e) {
                refuse(setting, e instanceof Unsupported ? e.getMessage() : e.getClass().getSimpleName());
            }
            return false;
        }

        static String code(ErrorResponseException e) {
            String code = e.errorResponse() == null ? null : e.errorResponse().code();
            return code != null ? code : "HTTP " + (e.response() == null ? "?" : e.response().code());
        }

        void require(String setting) {
            if (!required.contains(setting)) {
                required.add(setting);
            }
        }

        void refuse(String setting, String reason) {
            refused.add(new Refusal(setting, reason));
        }

        BucketSettings result() {
            return new BucketSettings(role.id(), bucket, List.copyOf(applied), List.copyOf(refused), List.copyOf(required));
        }
    }
}
