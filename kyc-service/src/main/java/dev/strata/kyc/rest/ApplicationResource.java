package dev.strata.kyc.rest;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.ResponseStatus;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.service.ApplicationService;
import dev.strata.kyc.service.DocumentService;
import dev.strata.platform.security.Caller;

/** The applicant's side: applications, their documents, submission, withdrawal and history. */
@Path("/api/kyc/applications")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ApplicationResource {

    public static final String MERGE_PATCH = "application/merge-patch+json";

    /** Documentation of the merge-patch body: every field optional while the application is a draft. */
    public record ApplicationFields(@Schema(enumeration = {"individual", "entity"}) String applicantType,
            String legalName, @Schema(format = "date") String dateOfBirth,
            @Schema(description = "ISO 3166-1 alpha-2") String nationality,
            @Schema(description = "ISO 3166-1 alpha-2") String residenceCountry, Views.Address address,
            @Schema(enumeration = {"passport", "national_id", "driving_licence", "residence_permit"}) String idDocumentType,
            @Schema(description = "stored encrypted") String nationalIdNumber,
            @Schema(description = "stored encrypted") String taxIdNumber) {
    }

    private final ApplicationService applications;
    private final DocumentService documents;
    private final SecurityIdentity identity;

    public ApplicationResource(ApplicationService applications, DocumentService documents, SecurityIdentity identity) {
        this.applications = applications;
        this.documents = documents;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start an application (status draft); one open application per user")
    @RequestBody(content = @Content(schema = @Schema(implementation = ApplicationFields.class)))
    public Uni<Response> create(JsonNode body) {
        return applications.create(caller(), body).map(v -> Response.created(URI.create("/api/kyc/applications/" + v.id()))
                .entity(v).build());
    }

    @GET
    @Operation(summary = "The caller's applications, newest first")
    public Uni<List<Views.ApplicationView>> mine() {
        return applications.mine(caller());
    }

    @GET
    @Path("{id}")
    public Uni<Views.ApplicationView> get(@PathParam("id") String id) {
        return applications.get(caller(), Ids.parse(id, "KYC application"));
    }

    @PATCH
    @Path("{id}")
    @Consumes({MediaType.APPLICATION_JSON, MERGE_PATCH})
    @Operation(summary = "Change fields (JSON merge patch: null clears) while draft or additional_info_required")
    @RequestBody(content = @Content(schema = @Schema(implementation = ApplicationFields.class)))
    public Uni<Views.ApplicationView> patch(@PathParam("id") String id, JsonNode body) {
        return applications.patch(caller(), Ids.parse(id, "KYC application"), body);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Withdraw a draft (rows now, objects through the outbox); anything else is retained: 409")
    public Uni<Response> withdraw(@PathParam("id") String id) {
        return applications.withdraw(caller(), Ids.parse(id, "KYC application")).map(v -> Response.noContent().build());
    }

    @POST
    @Path("{id}/submissions")
    @Operation(summary = "Submit for review (needs the fields and the completed document set)")
    public Uni<Views.ApplicationView> submit(@PathParam("id") String id) {
        return applications.submit(caller(), Ids.parse(id, "KYC application"));
    }

    @GET
    @Path("{id}/history")
    public Uni<List<Views.HistoryEntry>> history(@PathParam("id") String id) {
        return applications.history(caller(), Ids.parse(id, "KYC application"));
    }

    @GET
    @Path("{id}/documents")
    public Uni<List<Views.DocumentView>> documents(@PathParam("id") String id) {
        return documents.list(caller(), Ids.parse(id, "KYC application"));
    }

    @POST
    @Path("{id}/documents")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    @Operation(summary = "Get a presigned POST for one document (replaces an earlier one of the same type)")
    public Uni<Views.DocumentTicket> requestUpload(@PathParam("id") String id,
            @Valid @NotNull dev.strata.kyc.rest.Requests.DocumentRequest body) {
        return documents.requestUpload(caller(), Ids.parse(id, "KYC application"), body);
    }

    @POST
    @Path("{id}/documents/{documentId}/complete")
    @Operation(summary = "Have the uploaded file verified (exact size, type, magic bytes) and recorded")
    public Uni<Views.DocumentView> complete(@PathParam("id") String id, @PathParam("documentId") String documentId) {
        return documents.complete(caller(), Ids.parse(id, "KYC application"), Ids.parse(documentId, "document"));
    }

    @GET
    @Path("{id}/documents/{documentId}/download-url")
    @Operation(summary = "A 15-minute download URL, for the applicant, reviewers and admins")
    public Uni<Views.DownloadUrl> downloadUrl(@PathParam("id") String id, @PathParam("documentId") String documentId) {
        return documents.downloadUrl(caller(), Ids.parse(id, "KYC application"), Ids.parse(documentId, "document"));
    }

    private Caller caller() {
        return Caller.of(identity);
    }
}
