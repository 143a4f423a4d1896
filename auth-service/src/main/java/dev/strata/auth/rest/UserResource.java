package dev.strata.auth.rest;

import java.net.URI;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.service.Credentials;
import dev.strata.auth.service.UserService;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.ratelimit.RateLimiter;
import dev.strata.platform.security.Caller;

@Path("/api/users")
public class UserResource {

    private final UserService users;
    private final RateLimiter limiter;
    private final SecurityIdentity identity;

    public UserResource(UserService users, RateLimiter limiter, SecurityIdentity identity) {
        this.users = users;
        this.limiter = limiter;
        this.identity = identity;
    }

    /** Sign-up. Sign in afterwards to get a session. */
    @POST
    @RateLimited("sign-up-ip")
    public Uni<RestResponse<Dto.UserView>> signUp(@Valid @NotNull Dto.SignUpRequest body) {
        String password = Credentials.requireNewPassword("password", body.password());
        return users.signUp(body.email(), password, body.name()).map(u -> RestResponse.ResponseBuilder.<Dto.UserView>
                created(URI.create("/api/users/" + u.id)).entity(Dto.UserView.of(u)).build());
    }

    @GET
    @Path("me")
    @Authenticated
    public Uni<Dto.UserView> me() {
        return users.byId(UUID.fromString(Caller.of(identity).userId())).map(Dto.UserView::of);
    }

    /** Changes the password; every other session of the user is revoked. */
    @PUT
    @Path("me/password")
    @Authenticated
    public Uni<Dto.Revoked> changePassword(@Valid @NotNull Dto.PasswordChangeRequest body) {
        Caller c = Caller.of(identity);
        String replacement = Credentials.requireNewPassword("newPassword", body.newPassword());
        // guessing the current password through this endpoint costs as much as through sign-in
        return limiter.enforce("sign-in-account", "user:" + c.userId())
                .chain(() -> users.changePassword(UUID.fromString(c.userId()), UUID.fromString(c.sessionId()),
                        c.tokenHash(), body.currentPassword(), replacement,
                        Boolean.TRUE.equals(body.unlinkAccounts())))
                .map(Dto.Revoked::of);
    }
}
