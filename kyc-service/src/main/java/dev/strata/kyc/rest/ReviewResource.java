package dev.strata.kyc.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.service.ReviewService;
import dev.strata.platform.security.Caller;

/** The reviewer queue: oldest submission first, claim, decide. */
@Path("/api/kyc/reviews")
@RolesAllowed({"reviewer", "admin"})
@Produces(MediaType.APPLICATION_JSON)
public class ReviewResource {

    private final ReviewService reviews;
    private final SecurityIdentity identity;

    public ReviewResource(ReviewService reviews, SecurityIdentity identity) {
        this.reviews = reviews;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "Applications in a status (default submitted), oldest first, keyset-paginated")
    public Uni<Views.QueuePage> queue(@QueryParam("status") String status, @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        return reviews.queue(status, cursor, limit);
    }

    @POST
    @Path("{id}/claim")
    @Operation(summary = "Claim a submitted application (status under_review); one claimant wins, others get 409")
    public Uni<Views.ApplicationView> claim(@PathParam("id") String id) {
        return reviews.claim(Caller.of(identity), Ids.parse(id, "KYC application"));
    }

    @POST
    @Path("{id}/decision")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Decide: approved, rejected or additional_info_required, with reason codes and a note")
    public Uni<Views.ApplicationView> decide(@PathParam("id") String id,
            @Valid @NotNull dev.strata.kyc.rest.Requests.DecisionRequest body) {
        return reviews.decide(Caller.of(identity), Ids.parse(id, "KYC application"), body);
    }
}
