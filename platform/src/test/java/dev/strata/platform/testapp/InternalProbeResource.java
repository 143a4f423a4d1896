package dev.strata.platform.testapp;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/internal/probes")
@Produces(MediaType.APPLICATION_JSON)
public class InternalProbeResource {

    @GET
    @Path("ping")
    public Map<String, String> ping(io.vertx.ext.web.RoutingContext routing) {
        return Map.of("status", "pong", "caller", dev.strata.platform.internal.InternalAuthFilter.callerOf(routing));
    }
}
