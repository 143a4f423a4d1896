package dev.strata.storage.config;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Buckets, limits and presigning settings of the gateway ({@code strata.storage.*}). */
@ConfigMapping(prefix = "strata.storage")
public interface StorageConfig {

    /**
     * The S3 endpoint clients use (presigned URLs are signed for this host); it may differ from the internal
     * {@code quarkus.minio.url} the gateway itself connects to.
     */
    String publicEndpoint();

    /** Lifetime of presigned upload/download URLs handed to clients. */
    @WithDefault("15M")
    Duration presignExpiry();

    /** Lifetime of the presigned GET behind the public token-metadata redirect. */
    @WithDefault("5M")
    Duration publicReadExpiry();

    /**
     * Bound on S3 work: the MinIO client's connect/read/write timeouts, and the whole of each operation behind an
     * endpoint (a stalled S3 answers 503 {@code dependency-unavailable} after this long, never hangs a request).
     */
    @WithDefault("10S")
    Duration s3Timeout();

    /** Longest sanitized file name kept in an object key (the extension is preserved). */
    @WithDefault("100")
    int maxFileNameLength();

    /**
     * Whether default encryption on {@code kyc-documents} must be in force (set and read back) for the gateway to
     * be ready. True by default (production); the dev and test profiles turn it off because S3Proxy has none.
     */
    @WithDefault("true")
    boolean requireEncryption();

    /**
     * Further bucket settings without which the gateway must not be ready, as {@code <bucket-role>:<setting>}
     * (e.g. {@code kyc-documents:retention} where the backend is expected to have object lock). Empty by default:
     * the other settings are compensated by the gateway when refused.
     */
    java.util.Optional<List<String>> requiredSettings();

    Buckets buckets();

    Sweeper sweeper();

    Quota quota();

    Usage usage();

    /**
     * Objects and bytes per bucket ({@code strata_storage_bucket_objects/bytes}): one replica at a time (the one
     * that takes a Redis lock living {@code interval}) lists each bucket and stores the figures in Redis; every
     * replica exports what is stored there.
     */
    interface Usage {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("5M")
        Duration interval();

        @WithDefault("30S")
        Duration initialDelay();

        /** A bucket's listing stops after this many objects; its figures are then a lower bound (truncated). */
        @WithDefault("1000000")
        long maxObjects();
    }

    /**
     * Per-user limits over {@code user-uploads}: pending tickets (issued, not expired, nothing uploaded yet, counted
     * at their declared size) plus the objects stored under the user's prefix. A request over either is a 409.
     */
    interface Quota {
        @WithDefault("200")
        int maxObjects();

        /** 500 MiB. */
        @WithDefault("524288000")
        long maxBytes();
    }

    interface Buckets {
        KycDocuments kycDocuments();

        TokenMetadata tokenMetadata();

        UserUploads userUploads();
    }

    interface BucketLimits {
        String name();

        List<String> allowedTypes();

        long maxSize();

        /**
         * Calling services ({@code strata.internal.callers.<name>}) allowed to use this bucket through
         * {@code /internal/objects}; anyone else holding a service credential gets 403. Empty: none.
         */
        java.util.Optional<List<String>> internalCallers();
    }

    interface KycDocuments extends BucketLimits {
        @WithDefault("kyc-documents")
        String name();

        @WithDefault("image/jpeg,image/png,image/webp,application/pdf")
        List<String> allowedTypes();

        @WithDefault("10485760")
        long maxSize();

        @WithDefault("7")
        int retentionYears();

        /** KYC evidence is kyc-service's alone. */
        @WithDefault("kyc")
        java.util.Optional<List<String>> internalCallers();
    }

    interface TokenMetadata extends BucketLimits {
        @WithDefault("token-metadata")
        String name();

        @WithDefault("image/jpeg,image/png,image/webp,application/json")
        List<String> allowedTypes();

        /** Uploaded through the gateway itself, so it is also bounded by quarkus.http.limits.max-body-size. */
        @WithDefault("524288")
        long maxSize();
    }

    interface UserUploads extends BucketLimits {
        @WithDefault("user-uploads")
        String name();

        @WithDefault("image/jpeg,image/png,image/webp,application/pdf")
        List<String> allowedTypes();

        @WithDefault("10485760")
        long maxSize();

        /** kyc-service promotes a user's temporary upload into kyc-documents. */
        @WithDefault("kyc")
        java.util.Optional<List<String>> internalCallers();

        /** Age after which objects under {@code {userId}/temp/} are deleted (lifecycle rule and sweeper). */
        @WithDefault("7D")
        Duration tempExpiry();
    }

    interface Sweeper {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("1H")
        Duration interval();

        @WithDefault("1M")
        Duration initialDelay();
    }
}
