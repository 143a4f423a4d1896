package dev.strata.settings.rest;

import java.util.UUID;

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
import dev.strata.platform.security.Caller;
import dev.strata.settings.service.NotificationService;

/** The caller's in-app notifications: what arrived while they were away stays until read. */
@Path("/api/notifications")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class InboxResource {

    public record UnreadCount(long unread) {
    }

    public record Marked(int marked) {
    }

    private final NotificationService notifications;
    private final SecurityIdentity identity;

    public InboxResource(NotificationService notifications, SecurityIdentity identity) {
        this.notifications = notifications;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "Newest first; limit 1-100 (default 20); cursor from the previous page; unread=true filters")
    public Uni<NotificationService.InboxPage> list(@QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit, @QueryParam("unread") String unread) {
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
        if (unread != null && !unread.equals("true") && !unread.equals("false")) {
            throw ProblemException.invalidField("unread", "must be true or false");
        }
        return notifications.page(me(), cursor, n, "true".equals(unread));
    }

    @GET
    @Path("unread-count")
    public Uni<UnreadCount> unread() {
        return notifications.unread(me()).map(UnreadCount::new);
    }

    @POST
    @Path("{id}/read")
    @Operation(summary = "Mark one read (204); another user's or an unknown id is 404")
    public Uni<RestResponse<Void>> read(@PathParam("id") String id) {
        UUID item;
        try {
            item = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField("id", "must be a UUID");
        }
        return notifications.markRead(me(), item).map(found -> {
            if (!found) {
                throw ProblemException.notFound("No such notification");
            }
            return RestResponse.noContent();
        });
    }

    @POST
    @Path("read-all")
    public Uni<Marked> readAll() {
        return notifications.markAllRead(me()).map(Marked::new);
    }

    private UUID me() {
        return UUID.fromString(Caller.of(identity).userId());
    }
}
