package dev.strata.platform.rest;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/ping}: the cheapest answer a service gives through its whole HTTP stack (filters, rate-limit
 * filter, serialization), in every service alike. The benchmark's baseline: a hot path's cost is read against it.
 */
@Path("/api/ping")
public class PingResource {

    @GET
    @PermitAll
    @Produces(MediaType.TEXT_PLAIN)
    public String ping() {
        return "pong";
    }
}
