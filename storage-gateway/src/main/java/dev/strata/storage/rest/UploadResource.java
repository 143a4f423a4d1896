package dev.strata.storage.rest;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;
import dev.strata.storage.domain.CompletedUpload;
import dev.strata.storage.domain.PresignedUrl;
import dev.strata.storage.service.UploadService;

/** A signed-in user's temporary uploads (bucket {@code user-uploads}). */
@Path("/api/uploads")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class UploadResource {

    /** {@code fileName} is only a hint: it is sanitized into the server-generated key. Unknown fields: 400. */
    public record UploadRequest(@NotBlank @Size(max = 4096) String fileName, @NotBlank @Size(max = 255) String contentType,
            @NotNull @Positive Long size) {
    }

    private final UploadService uploads;
    private final SecurityIdentity identity;

    public UploadResource(UploadService uploads, SecurityIdentity identity) {
        this.uploads = uploads;
        this.identity = identity;
    }

    /** Returns a presigned POST (form fields + URL) valid for 15 minutes. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited("uploads")
    public Uni<Response> request(@Valid @NotNull UploadRequest body) {
        String userId = Caller.of(identity).userId();
        return uploads.request(userId, body.fileName(), body.contentType(), body.size())
                .map(t -> Response.created(URI.create("/api/uploads/" + t.uploadId())).entity(t).build());
    }

    /** Verifies the uploaded object (size, type, magic bytes); a mismatch deletes it and answers 422. */
    @POST
    @Path("/{id}/complete")
    public Uni<CompletedUpload> complete(@PathParam("id") String id) {
        return uploads.complete(Caller.of(identity).userId(), id);
    }

    @GET
    @Path("/{id}/download-url")
    public Uni<PresignedUrl> downloadUrl(@PathParam("id") String id) {
        return uploads.downloadUrl(Caller.of(identity).userId(), id);
    }
}
