package dev.strata.kyc.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.smallrye.mutiny.Uni;

/** storage-gateway's {@code /internal/objects} API (service credential); wrapped by {@link StorageGateway}. */
@RegisterRestClient(configKey = "storage-gateway")
@Path("/internal/objects")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@ClientHeaderParam(name = "Authorization", value = "{dev.strata.kyc.service.StorageGateway.bearer}")
public interface StorageGatewayClient {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record UploadUrlRequest(String bucket, String key, String contentType, Long maxSize) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PresignedPost(String url, Map<String, String> fields, Instant expiresAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VerifyRequest(String bucket, String key, String contentType, Long size) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record VerifiedObject(String bucket, String key, long size, String contentType, String sha256) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DownloadUrlRequest(String bucket, String key, String fileName, Integer expirySeconds) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PresignedUrl(String url, Instant expiresAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ListedObject(String key, long size, Instant lastModified) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ObjectPage(List<ListedObject> items, String nextStartAfter) {
    }

    @POST
    @Path("/upload-url")
    Uni<PresignedPost> uploadUrl(UploadUrlRequest request);

    @POST
    @Path("/verify")
    Uni<VerifiedObject> verify(VerifyRequest request);

    @POST
    @Path("/download-url")
    Uni<PresignedUrl> downloadUrl(DownloadUrlRequest request);

    @DELETE
    Uni<Void> delete(@QueryParam("bucket") String bucket, @QueryParam("key") String key);

    @GET
    Uni<ObjectPage> list(@QueryParam("bucket") String bucket, @QueryParam("prefix") String prefix,
            @QueryParam("startAfter") String startAfter, @QueryParam("limit") int limit);
}
