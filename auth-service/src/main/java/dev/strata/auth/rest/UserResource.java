package dev.strata.auth.rest;

import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import org.jboss.resteasy.reactive.RestResponse;

import jakarta.ws.rs.core.Context;

import io.quarkus.security.Authenticated;
import io.vertx.core.http.HttpServerRequest;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.service.Credentials;
import dev.strata.auth.service.EmailChangeService;
import dev.strata.auth.service.VerificationService;
import dev.strata.auth.service.UserService;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.ClientIpResolver;
import dev.strata.platform.ratelimit.RateLimiter;
import dev.strata.platform.security.Caller;

@Path("/api/users")
public class UserResource {

    private final UserService users;
    private final RateLimiter limiter;
    private final SecurityIdentity identity;

    private final ClientIpResolver clientIp;

    private final EmailChangeService emailChanges;

    public UserResource(UserService users, RateLimiter limiter, SecurityIdentity identity,
            ClientIpResolver clientIp, EmailChangeService emailChanges) {
        this.emailChanges = emailChanges;
        this.users = users;
        this.limiter = limiter;
        this.identity = identity;
        this.clientIp = clientIp;
    }

    /**
     * Sign-up. Sign in afterwards to get a session. A taken address is a 409 (a deliberate choice, see the README):
     * each address costs an enumerator one of a few "taken" answers per client address and day.
     */
    @POST
    @RateLimited("sign-up-ip")
    public Uni<RestResponse<Dto.UserView>> signUp(@Valid @NotNull Dto.SignUpRequest body,
            @Context HttpServerRequest request) {
        String password = Credentials.requireNewPassword("password", body.password());
        String source = "ip:" + ClientIpResolver.limitKey(clientIp.resolve(request));
        return limiter.enforcePeek("sign-up-taken-ip", source)
                .chain(() -> users.signUp(body.email(), password, body.name())
                        .onFailure(e -> e instanceof ProblemException p && p.type().status() == 409)
                        .call(e -> limiter.check("sign-up-taken-ip", source)))
                // 201 without a Location: no /api/users/{id} exists (the account is /api/users/me once signed in)
                .map(u -> RestResponse.status(RestResponse.Status.CREATED, Dto.UserView.of(u)));
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

    /**
     * Starts an e-mail change: needs the password; a code goes to the new address and a notice to the current one,
     * which stays in force until {@code confirmation}.
     */
    @POST
    @Path("me/email-changes")
    @Authenticated
    public Uni<RestResponse<VerificationService.Sent>> requestEmailChange(
            @Valid @NotNull Dto.EmailChangeRequest body) {
        UUID userId = UUID.fromString(Caller.of(identity).userId());
        String target = Credentials.normalizeEmail(body.newEmail());
        // each request mails two messages: bounded like every other code, and the password guesses like sign-in
        return limiter.enforce("sign-in-account", "user:" + userId)
                .chain(() -> limiter.enforce("code-send", EmailChangeService.PURPOSE + ":" + userId
                        + ":" + target))
                .chain(() -> limiter.enforce("code-send-account", userId.toString()))
                .chain(() -> emailChanges.request(userId, target, body.password()))
                .map(sent -> RestResponse.status(RestResponse.Status.ACCEPTED, sent));
    }

    /** Confirms the newest e-mail change with the code mailed to the new address; answers the updated account. */
    @POST
    @Path("me/email-changes/confirmation")
    @Authenticated
    public Uni<Dto.UserView> confirmEmailChange(@Valid @NotNull Dto.EmailChangeConfirmation body) {
        UUID userId = UUID.fromString(Caller.of(identity).userId());
        return limiter.enforce("code-check", EmailChangeService.PURPOSE + ":" + userId)
                .chain(() -> emailChanges.confirm(userId, body.code()))
                .map(Dto.UserView::of);
    }
}
