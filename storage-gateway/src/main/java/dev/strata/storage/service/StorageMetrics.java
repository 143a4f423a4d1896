package dev.strata.storage.service;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.MinioException;
import io.minio.errors.ServerException;

/** The gateway's own meters (exposed at /q/metrics). */
@ApplicationScoped
public class StorageMetrics {

    private final MeterRegistry registry;
    private final Counter sweeperDeletions;

    public StorageMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.sweeperDeletions = Counter.builder("strata.storage.sweeper.deletions")
                .description("Expired temporary uploads deleted by the gateway's sweeper").register(registry);
    }

    public void presigned(String bucket, String operation) {
        Counter.builder("strata.storage.presigns").description("Presigned URLs issued")
                .tag("bucket", bucket).tag("operation", operation).register(registry).increment();
    }

    public void completion(boolean accepted, String reason) {
        Counter.builder("strata.storage.completions").description("Upload completions by outcome")
                .tag("outcome", accepted ? "accepted" : "rejected").tag("reason", reason)
                .register(registry).increment();
    }

    public void sweeperDeleted(int count) {
        sweeperDeletions.increment(count);
    }

    /**
     * Runs one S3 call (blocking) and records it: {@code strata_storage_s3_requests_seconds{operation, outcome}}
     * (outcome {@code success}, {@code not_found} — an answer, not an error —, {@code precondition_failed},
     * {@code error}, or {@code aborted} when our own code gave up) and, for errors,
     * {@code strata_storage_s3_errors_total{operation, reason}} (the S3 error code such as {@code AccessDenied} or
     * {@code NoSuchBucket}, {@code http_<status>}, {@code timeout}, {@code connect}, {@code io}).
     */
    public <T> T s3(String operation, Callable<T> call) throws Exception {
        long start = System.nanoTime();
        String outcome = "aborted";
        try {
            T result = call.call();
            outcome = "success";
            return result;
        } catch (Exception e) {
            String reason = errorReason(e);
            if (reason == null) {
                outcome = e instanceof ErrorResponseException er && status(er) == 412 ? "precondition_failed"
                        : e instanceof ErrorResponseException ? "not_found" : "aborted";
            } else {
                outcome = "error";
                Counter.builder("strata.storage.s3.errors").description("S3 calls that failed, by operation and reason")
                        .tag("operation", operation).tag("reason", reason).register(registry).increment();
            }
            throw e;
        } finally {
            Timer.builder("strata.storage.s3.requests").description("S3 calls made by the gateway")
                    .tag("operation", operation).tag("outcome", outcome).register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** Null when the failure is no S3 error: a missing key, a failed precondition, or our own code giving up. */
    static String errorReason(Exception e) {
        if (e instanceof ErrorResponseException er) {
            String code = er.errorResponse() == null ? null : er.errorResponse().code();
            int status = status(er);
            if ("NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                    || code == null && status == 404 || status == 412 || "PreconditionFailed".equals(code)) {
                return null;
            }
            return code != null && code.matches("[A-Za-z0-9]{1,40}") ? code : "http_" + status;
        }
        if (e instanceof ServerException se) {
            return "http_" + se.statusCode();
        }
        if (e instanceof InvalidResponseException) {
            return "invalid_response";
        }
        if (e instanceof InterruptedIOException) {
            return "timeout";
        }
        if (e instanceof ConnectException) {
            return "connect";
        }
        if (e instanceof java.io.IOException) {
            return "io";
        }
        if (e instanceof MinioException) {
            return e.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT);
        }
        return null;
    }

    private static int status(ErrorResponseException e) {
        return e.response() == null ? 0 : e.response().code();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
