package dev.strata.auth.rest;

import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.service.BootstrapService;
import dev.strata.platform.ratelimit.RateLimiter;
import dev.strata.platform.security.Caller;

/** Redeems the one-time bootstrap-admin token (see BootstrapService). */
@Path("/api/admin/bootstrap")
@Authenticated
public class BootstrapResource {

    private final BootstrapService bootstrap;
    private final RateLimiter limiter;
    private final SecurityIdentity identity;

    public BootstrapResource(BootstrapService bootstrap, RateLimiter limiter, SecurityIdentity identity) {
        this.bootstrap = bootstrap;
        this.limiter = limiter;
        this.identity = identity;
    }

    /** 204: the caller is now an admin (their live sessions included). */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Void>> redeem(@Valid @NotNull Dto.BootstrapRequest body) {
        String userId = Caller.of(identity).userId();
        // a guessed token costs as much as a guessed password
        return limiter.enforce("sign-in-account", "bootstrap:" + userId)
                .chain(() -> bootstrap.redeem(UUID.fromString(userId), body.token()))
                .map(v -> RestResponse.noContent());
    }
}
