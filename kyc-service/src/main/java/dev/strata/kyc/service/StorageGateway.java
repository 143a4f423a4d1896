package dev.strata.kyc.service;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.smallrye.mutiny.Uni;

import dev.strata.kyc.config.KycConfig;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;

/**
 * kyc-service's only way to object storage. Every call is bounded; the gateway's verdicts keep their meaning for
 * our client (404 → not found, 422 → the file was rejected and deleted) and everything else (down, slow, 5xx, a 4xx
 * that means we sent something wrong) is a 503: the client can do nothing about it but retry.
 */
@ApplicationScoped
public class StorageGateway {

    public static final String CONTENT_REJECTED = "https://strata.dev/problems/kyc/document-rejected";

    private final StorageGatewayClient client;
    private final String bucket;
    private final Duration timeout;

    public StorageGateway(@RestClient StorageGatewayClient client, KycConfig config) {
        this.client = client;
        this.bucket = config.gateway().bucket();
        this.timeout = config.gateway().timeout();
    }

    /** Read by the REST client for every call's Authorization header. */
    public static String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getValue("strata.kyc.gateway.token", String.class);
    }

    public Uni<StorageGatewayClient.PresignedPost> presignUpload(String key, String contentType, long maxSize) {
        return call(() -> client.uploadUrl(new StorageGatewayClient.UploadUrlRequest(bucket, key, contentType, maxSize)));
    }

    public Uni<StorageGatewayClient.VerifiedObject> verify(String key, String contentType, long size) {
        return call(() -> client.verify(new StorageGatewayClient.VerifyRequest(bucket, key, contentType, size)));
    }

    public Uni<StorageGatewayClient.PresignedUrl> presignDownload(String key, String fileName) {
        return call(() -> client.downloadUrl(new StorageGatewayClient.DownloadUrlRequest(bucket, key, fileName, null)));
    }

    /** Idempotent: a missing object is a success. */
    public Uni<Void> delete(String key) {
        return call(() -> client.delete(bucket, key));
    }

    public Uni<StorageGatewayClient.ObjectPage> list(String startAfter, int limit) {
        return call(() -> client.list(bucket, null, startAfter, limit));
    }

    private <T> Uni<T> call(Supplier<Uni<T>> request) {
        return Uni.createFrom().<T>deferred(request::get)
                .ifNoItem().after(timeout).failWith(TimeoutException::new)
                .onFailure().transform(StorageGateway::translate);
    }

    static Throwable translate(Throwable e) {
        if (e instanceof ProblemException) {
            return e;
        }
        if (e instanceof WebApplicationException w && w.getResponse() != null) {
            int status = w.getResponse().getStatus();
            if (status == 404) {
                return ProblemException.notFound("The document's file was not found in storage");
            }
            if (status == 422) {
                return new ProblemException(ProblemType.UNPROCESSABLE, CONTENT_REJECTED,
                        "The uploaded file is not what was declared (type, size or content); it has been deleted",
                        null, java.util.Map.of(), null);
            }
        }
        return ProblemException.dependencyDown("Document storage", e);
    }
}
