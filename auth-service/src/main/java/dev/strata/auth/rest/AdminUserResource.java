package dev.strata.auth.rest;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Roles;
import dev.strata.auth.service.SessionService;
import dev.strata.auth.service.UserService;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.security.Caller;

@Path("/api/admin/users")
@RolesAllowed(Roles.ADMIN)
public class AdminUserResource {

    private final UserService users;
    private final SessionService sessions;
    private final SecurityIdentity identity;

    public AdminUserResource(UserService users, SessionService sessions, SecurityIdentity identity) {
        this.users = users;
        this.sessions = sessions;
        this.identity = identity;
    }

    @GET
    @Path("{id}")
    public Uni<Dto.AdminUserView> get(@PathParam("id") String id) {
        return users.byId(Http.uuid("id", id)).map(Dto.AdminUserView::of);
    }

    @PUT
    @Path("{id}/roles/{role}")
    public Uni<Dto.AdminUserView> grant(@PathParam("id") String id, @PathParam("role") String role) {
        return users.changeRole(Http.uuid("id", id), grantable(role), true)
                .call(u -> sessions.syncRoles(u.id)).map(Dto.AdminUserView::of);
    }

    @DELETE
    @Path("{id}/roles/{role}")
    public Uni<Dto.AdminUserView> revoke(@PathParam("id") String id, @PathParam("role") String role) {
        UUID target = Http.uuid("id", id);
        String r = grantable(role);
        if (Roles.ADMIN.equals(r) && target.toString().equals(Caller.of(identity).userId())) {
            // the last admin must not lock everyone out by accident
            throw ProblemException.conflict("Admins cannot revoke their own admin role");
        }
        return users.changeRole(target, r, false)
                .call(u -> sessions.syncRoles(u.id)).map(Dto.AdminUserView::of);
    }

    /** Bans a user: sign-in is refused and every session is revoked at once. */
    @POST
    @Path("{id}/ban")
    public Uni<Dto.AdminUserView> ban(@PathParam("id") String id, @Valid Dto.BanRequest body) {
        UUID target = Http.uuid("id", id);
        if (target.toString().equals(Caller.of(identity).userId())) {
            throw ProblemException.conflict("Admins cannot ban themselves");
        }
        return users.ban(target, body == null ? null : body.reason()).map(Dto.AdminUserView::of);
    }

    @DELETE
    @Path("{id}/ban")
    public Uni<Dto.AdminUserView> unban(@PathParam("id") String id) {
        return users.unban(Http.uuid("id", id)).map(Dto.AdminUserView::of);
    }

    private static String grantable(String role) {
        if (!Roles.GRANTABLE.contains(role)) {
            throw ProblemException.invalidField("role", "must be one of " + Roles.GRANTABLE);
        }
        return role;
    }
}
