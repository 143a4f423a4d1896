package dev.strata.platform.testapp;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;

/** A test-only resource exercising every platform mechanism the way a service would. */
@Path("/api/probes")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeResource {

    public static final AtomicInteger WIDGETS_WRITTEN = new AtomicInteger();

    public record WidgetRequest(@NotBlank @Size(max = 20) String name, @NotNull @Min(1) @Max(10) Integer quantity,
            @Email String contact) {
    }

    private final SecurityIdentity identity;

    public ProbeResource(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** Waits for something that never comes: a call without its own deadline. */
    @GET
    @Path("never")
    public io.smallrye.mutiny.Uni<Map<String, String>> never() {
        return io.smallrye.mutiny.Uni.createFrom().nothing();
    }

    @GET
    @Path("public")
    public Map<String, String> open() {
        return Map.of("status", "ok");
    }

    @GET
    @Path("me")
    @Authenticated
    public Caller me() {
        return Caller.of(identity);
    }

    @GET
    @Path("admin")
    @RolesAllowed("admin")
    public Map<String, String> admin() {
        return Map.of("status", "admin");
    }

    @POST
    @Path("widgets")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Valid @NotNull WidgetRequest request) {
        WIDGETS_WRITTEN.incrementAndGet();
        return Response.status(201).entity(request).build();
    }

    @GET
    @Path("limited")
    @RateLimited("burst")
    public Map<String, String> limited() {
        return Map.of("status", "admitted");
    }

    @GET
    @Path("account-limited")
    @Authenticated
    @RateLimited("per-account")
    public Map<String, String> accountLimited() {
        return Map.of("status", "admitted");
    }

    @GET
    @Path("conflict")
    public Map<String, String> conflict() {
        throw ProblemException.conflict("widget already exists");
    }

    @GET
    @Path("boom")
    public Map<String, String> boom() {
        throw new IllegalStateException("db password is hunter2 at dev.strata.Secret");
    }
}
