package dev.strata.settings.rest;

import java.util.Map;
import java.util.UUID;

import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;
import dev.strata.settings.service.SettingsService;

/** Which events reach the caller on which channel: channel (email, push, webhook) × category. */
@Path("/api/settings/me/notifications")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class NotificationSettingsResource {

    /** {@code {"channels": {"email": {"kyc": true, "security": true, "transfers": false, "alerts": true}, ...}}} */
    public record Matrix(@NotNull Map<String, Map<String, Boolean>> channels) {
    }

    private final SettingsService settings;
    private final SecurityIdentity identity;

    public NotificationSettingsResource(SettingsService settings, SecurityIdentity identity) {
        this.settings = settings;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "My notification preferences, defaults filled in")
    public Uni<Matrix> get() {
        return settings.notifications(me()).map(Matrix::new);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited("settings-write")
    @Operation(summary = "Replace the whole matrix: every channel and category, true or false")
    public Uni<Matrix> put(@NotNull Matrix body) {
        return settings.replaceNotifications(me(), body.channels()).map(Matrix::new);
    }

    private UUID me() {
        return UUID.fromString(Caller.of(identity).userId());
    }
}
