package dev.strata.kyc.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.kyc.service.ApplicationService;
import dev.strata.platform.security.Caller;

/** A user's KYC status for the rest of the suite, served from the Redis cache. */
@Produces(MediaType.APPLICATION_JSON)
@Path("/")
public class StatusResource {

    private final ApplicationService applications;
    private final SecurityIdentity identity;

    public StatusResource(ApplicationService applications, SecurityIdentity identity) {
        this.applications = applications;
        this.identity = identity;
    }

    @GET
    @Path("api/kyc/status")
    @Authenticated
    public Uni<Views.StatusView> mine() {
        return applications.status(Caller.of(identity).userId());
    }

    /** Service credential only (enforced by the platform for every /internal path). */
    @GET
    @Path("internal/kyc/users/{userId}/status")
    public Uni<Views.StatusView> ofUser(@PathParam("userId") String userId) {
        return applications.status(userId);
    }
}
