package dev.strata.kyc.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.smallrye.mutiny.Uni;

import dev.strata.kyc.service.MaintenanceJobs;

/** Runs the background jobs now (they also run on their schedule); one runner across replicas either way. */
@Path("/api/kyc/maintenance")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class MaintenanceResource {

    private final MaintenanceJobs jobs;

    public MaintenanceResource(MaintenanceJobs jobs) {
        this.jobs = jobs;
    }

    @POST
    @Path("expirations")
    @Operation(summary = "Expire approvals past their validity now")
    public Uni<Views.ExpiryRun> expire() {
        return jobs.expireDue();
    }

    @POST
    @Path("reconciliations")
    @Operation(summary = "Compare kyc-documents objects with rows now: delete old orphans, report missing objects")
    public Uni<Views.ReconcileRun> reconcile() {
        return jobs.reconcile();
    }
}
