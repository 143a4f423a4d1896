package dev.strata.auth.rest;

import jakarta.ws.rs.GET;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Plaintext baseline for the benchmark: the same HTTP stack with no Redis, no database (on the event loop). */
@Path("/api/auth/ping")
public class PingResource {

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @NonBlocking
    public String ping() {
        return "pong";
    }
}
