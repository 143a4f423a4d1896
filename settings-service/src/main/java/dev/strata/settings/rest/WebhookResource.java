package dev.strata.settings.rest;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;
import dev.strata.settings.domain.Webhook;
import dev.strata.settings.service.WebhookService;

/** The caller's webhook endpoints: registration (SSRF-checked), secret rotation, the delivery log, redelivery. */
@Path("/api/settings/me/webhooks")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    /** {@code {"url": "https://…", "description": "…"}}; unknown fields are refused. */
    public record WebhookBody(String url, String description) {
    }

    private final WebhookService webhooks;
    private final SecurityIdentity identity;

    public WebhookResource(WebhookService webhooks, SecurityIdentity identity) {
        this.webhooks = webhooks;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited("settings-write")
    @Operation(summary = "Register an endpoint (201); the answer holds its signing secret, shown this once")
    public Uni<RestResponse<Webhook>> create(WebhookBody body) {
        if (body == null) {
            throw ProblemException.invalidField("url", "is required");
        }
        return webhooks.create(me(), body.url(), body.description())
                .map(w -> RestResponse.ResponseBuilder.<Webhook>created(
                        java.net.URI.create("/api/settings/me/webhooks/" + w.id())).entity(w).build());
    }

    @GET
    @Operation(summary = "My endpoints (never their secrets)")
    public Uni<List<Webhook>> list() {
        return webhooks.list(me());
    }

    @GET
    @Path("{id}")
    public Uni<Webhook> get(@PathParam("id") String id) {
        return webhooks.get(me(), uuid("id", id));
    }

    @DELETE
    @Path("{id}")
    @RateLimited("settings-write")
    @Operation(summary = "Delete an endpoint and its delivery log (204)")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return webhooks.delete(me(), uuid("id", id)).map(v -> RestResponse.noContent());
    }

    @POST
    @Path("{id}/rotate-secret")
    @RateLimited("settings-write")
    @Operation(summary = "A new signing secret (shown once); the old one keeps signing during the overlap")
    public Uni<WebhookService.Rotated> rotate(@PathParam("id") String id) {
        return webhooks.rotate(me(), uuid("id", id));
    }

    @GET
    @Path("{id}/deliveries")
    @Operation(summary = "The delivery log, newest first; limit 1-100 (default 20); cursor from the previous page")
    public Uni<WebhookService.DeliveryPage> deliveries(@PathParam("id") String id, @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        UUID endpoint = uuid("id", id);
        int n = 20;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 100) {
                throw ProblemException.invalidField("limit", "must be a whole number from 1 to 100");
            }
        }
        return webhooks.deliveries(me(), endpoint, cursor, n);
    }

    @POST
    @Path("{id}/deliveries/{deliveryId}/redeliver")
    @RateLimited("settings-write")
    @Operation(summary = "Queue a delivery again (202): a new attempt cycle, same webhook-id")
    public Uni<RestResponse<Void>> redeliver(@PathParam("id") String id, @PathParam("deliveryId") String deliveryId) {
        UUID endpoint = uuid("id", id);
        UUID delivery = uuid("deliveryId", deliveryId);
        return webhooks.redeliver(me(), endpoint, delivery).map(v -> RestResponse.accepted());
    }

    static UUID uuid(String field, String value) {
        try {
            // UUID.fromString accepts "1-1-1-1-1": only the canonical 36-character form is an id of ours
            if (value == null || value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField(field, "must be a UUID");
        }
    }

    private UUID me() {
        return UUID.fromString(Caller.of(identity).userId());
    }
}
