package dev.strata.auth.rest;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import io.smallrye.mutiny.Uni;

import dev.strata.auth.service.Credentials;
import dev.strata.auth.service.PasswordResetService;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.ratelimit.RateLimiter;

/** "Forgot my password", for anyone: no session needed (the mailbox is the proof). */
@Path("/api/password-resets")
public class PasswordResetResource {

    private final PasswordResetService resets;
    private final RateLimiter limiter;

    public PasswordResetResource(PasswordResetService resets, RateLimiter limiter) {
        this.resets = resets;
        this.limiter = limiter;
    }

    /**
     * Always 202 with no body, answered before the address is even looked up: known and unknown addresses look
     * alike, in content and in time. Limited per client address and per target address (counted whether or not
     * the address exists, so a 429 tells nothing either; the limiter keys subjects by their hash).
     */
    @POST
    @RateLimited("password-reset-ip")
    public Uni<RestResponse<Void>> request(@Valid @NotNull Dto.PasswordResetRequest body) {
        String email = Credentials.normalizeEmail(body.email());
        return limiter.enforce("password-reset-address", email)
                .invoke(() -> resets.requestInBackground(email))
                .map(d -> RestResponse.accepted());
    }

    /** Sets the new password with the mailed token; every session of the user is signed out. */
    @POST
    @Path("{token}")
    @RateLimited("password-reset-redeem-ip")
    public Uni<RestResponse<Void>> redeem(@PathParam("token") String token,
            @Valid @NotNull Dto.PasswordResetRedemption body) {
        String password = Credentials.requireNewPassword("password", body.password());
        return resets.redeem(token, password).map(n -> RestResponse.noContent());
    }
}
