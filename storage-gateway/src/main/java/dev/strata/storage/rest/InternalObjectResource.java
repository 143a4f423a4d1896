package dev.strata.storage.rest;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.strata.platform.internal.InternalAuthFilter;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.ObjectPage;
import dev.strata.storage.domain.PresignedPost;
import dev.strata.storage.domain.PresignedUrl;
import dev.strata.storage.domain.VerifiedObject;
import dev.strata.storage.service.InternalObjectService;

/**
 * Service-to-service object operations. The platform refuses any {@code /internal/*} call without the service
 * credential before it gets here, and names the calling service: each may use only its configured buckets
 * ({@code strata.storage.buckets.<bucket>.internal-callers}), anyone else 403. Buckets are named by role: kyc-documents, token-metadata, user-uploads.
 */
@Path("/internal/objects")
@Produces(MediaType.APPLICATION_JSON)
public class InternalObjectResource {

    /**
     * {@code userId}: the acting user; required for user-uploads, whose key must be under that user's prefix.
     * {@code maxSize}: 1..bucket maximum; the POST policy then refuses anything larger (default: bucket maximum).
     */
    public record UploadUrlRequest(@NotBlank String bucket, @NotBlank @Size(max = 1024) String key, String userId,
            @NotBlank String contentType, Integer expirySeconds, Long maxSize) {
    }

    /** {@code contentType}/{@code size}, when given, must match the stored object exactly. */
    public record VerifyRequest(@NotBlank String bucket, @NotBlank @Size(max = 1024) String key, String userId,
            @Size(max = 200) String contentType, Long size) {
    }

    public record DownloadUrlRequest(@NotBlank String bucket, @NotBlank @Size(max = 1024) String key, String userId,
            @Size(max = 4096) String fileName, Integer expirySeconds) {
    }

    public record CopyRequest(@NotBlank String sourceBucket, @NotBlank @Size(max = 1024) String sourceKey,
            @NotBlank String targetBucket, @NotBlank @Size(max = 1024) String targetKey, String userId) {
    }

    private final InternalObjectService objects;

    public InternalObjectResource(InternalObjectService objects) {
        this.objects = objects;
    }

    @POST
    @Path("/upload-url")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<PresignedPost> uploadUrl(@Valid @NotNull UploadUrlRequest r, RoutingContext rc) {
        objects.authorize(InternalAuthFilter.callerOf(rc), r.bucket(), "bucket");
        return objects.presignUpload(r.bucket(), r.key(), r.userId(), r.contentType(), r.expirySeconds(),
                r.maxSize());
    }

    /** Verifies (size, type, magic bytes) and hashes a stored object; a mismatch deletes it (422). */
    @POST
    @Path("/verify")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<VerifiedObject> verify(@Valid @NotNull VerifyRequest r, RoutingContext rc) {
        objects.authorize(InternalAuthFilter.callerOf(rc), r.bucket(), "bucket");
        return objects.verify(r.bucket(), r.key(), r.userId(), r.contentType(), r.size());
    }

    /**
     * One page of keys in key order (ListObjects v2 with start-after); {@code limit} 1..1000 (500),
     * {@code nextStartAfter} is set when the page is full.
     */
    @GET
    public Uni<ObjectPage> list(@QueryParam("bucket") String bucket,
            @QueryParam("prefix") String prefix, @QueryParam("startAfter") String startAfter,
            @QueryParam("limit") String limit, @QueryParam("userId") String userId, RoutingContext rc) {
        objects.authorize(InternalAuthFilter.callerOf(rc), bucket, "bucket");
        return objects.list(bucket, prefix, startAfter, limit, userId);
    }

    @POST
    @Path("/download-url")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<PresignedUrl> downloadUrl(@Valid @NotNull DownloadUrlRequest r, RoutingContext rc) {
        objects.authorize(InternalAuthFilter.callerOf(rc), r.bucket(), "bucket");
        return objects.presignDownload(r.bucket(), r.key(), r.userId(), r.fileName(), r.expirySeconds());
    }

    @GET
    @Path("/stat")
    public Uni<ObjectInfo> stat(@QueryParam("bucket") String bucket, @QueryParam("key") String key,
            @QueryParam("userId") String userId, RoutingContext rc) {
        objects.authorize(InternalAuthFilter.callerOf(rc), bucket, "bucket");
        return objects.stat(bucket, key, userId);
    }

    /** Promotes an object, e.g. a verified temp upload into kyc-documents. */
    @POST
    @Path("/copy")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ObjectInfo> copy(@Valid @NotNull CopyRequest r, RoutingContext rc) {
        objects.authorize(InternalAuthFilter.callerOf(rc), r.sourceBucket(), "sourceBucket");
        objects.authorize(InternalAuthFilter.callerOf(rc), r.targetBucket(), "targetBucket");
        return objects.copy(r.sourceBucket(), r.sourceKey(), r.targetBucket(), r.targetKey(), r.userId());
    }

    /** Idempotent: deleting a missing object is a success. */
    @DELETE
    public Uni<Void> delete(@QueryParam("bucket") String bucket, @QueryParam("key") String key,
            @QueryParam("userId") String userId, RoutingContext rc) {
        objects.authorize(InternalAuthFilter.callerOf(rc), bucket, "bucket");
        return objects.delete(bucket, key, userId);
    }
}
