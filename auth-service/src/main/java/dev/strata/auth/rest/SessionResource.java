package dev.strata.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.NonBlocking;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.AccountEvents;
import dev.strata.auth.service.Credentials;
import dev.strata.auth.service.DeviceCookies;
import dev.strata.auth.service.MfaService;
import dev.strata.auth.service.SessionService;
import dev.strata.auth.service.UserService;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.ClientIpResolver;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.ratelimit.RateLimiter;
import dev.strata.platform.security.Caller;

@Path("/api/sessions")
public class SessionResource {

    private final UserService users;
    private final SessionService sessions;
    private final RateLimiter limiter;
    private final ClientIpResolver clientIp;
    private final SecurityIdentity identity;
    private final AuthConfig config;
    private final DeviceCookies devices;
    private final AccountEvents events;
    private final MfaService mfa;

    public SessionResource(UserService users, SessionService sessions, RateLimiter limiter, ClientIpResolver clientIp,
            SecurityIdentity identity, AuthConfig config, DeviceCookies devices, AccountEvents events, MfaService mfa) {
        this.mfa = mfa;
        this.devices = devices;
        this.events = events;
        this.users = users;
        this.sessions = sessions;
        this.limiter = limiter;
        this.clientIp = clientIp;
        this.identity = identity;
        this.config = config;
    }

    /** Sign-in: the token is in the body once and in the session cookie; it is never shown again. */
    @POST
    @RateLimited("sign-in-ip")
    public Uni<RestResponse<Object>> signIn(@Valid @NotNull Dto.SignInRequest body,
            HttpServerRequest request) {
        String ip = clientIp.resolve(request);
        String email = Credentials.normalizeEmail(body.email());
        var device = request.getCookie(Http.deviceCookieName(config));
        boolean knownDevice = devices.valid(device == null ? null : device.getValue(), email);
        // per account and address: one source's guesses at one account. Per account, only failures count, and a
        // browser that signed in to it before is exempt: strangers guessing wrong cannot lock the owner out
        return limiter.enforce("sign-in-account-ip", "email:" + email + "|ip:" + ClientIpResolver.limitKey(ip))
                .chain(() -> knownDevice ? Uni.createFrom().voidItem()
                        : limiter.enforcePeek("sign-in-account-failures", "email:" + email).replaceWithVoid())
                .chain(() -> users.signIn(body.email(), body.password(), ip, request.getHeader("User-Agent"))
                        .onFailure(e -> e instanceof ProblemException p && p.type().status() == 401)
                        .call(e -> limiter.check("sign-in-account-failures", "email:" + email)))
                .map(result -> result.challenge() != null ? mfaRequired(result.challenge())
                        : signedIn(result.session(), email));
    }

    /**
     * The second step of a sign-in with TOTP: the challenge from {@code POST /api/sessions} (202) and a TOTP code
     * or a recovery code; answers exactly like a sign-in without a second factor.
     */
    @POST
    @Path("mfa")
    @RateLimited("sign-in-ip")
    public Uni<RestResponse<Object>> completeMfa(@Valid @NotNull MfaRequest body, HttpServerRequest request) {
        String ip = clientIp.resolve(request);
        return mfa.complete(body.challenge(), body.code(), body.recoveryCode(), ip, request.getHeader("User-Agent"))
                .chain(created -> users.byId(created.session().userId).map(u -> signedIn(created, u.email)));
    }

    /** {@code code} (6 digits) or {@code recoveryCode}, exactly one. */
    public record MfaRequest(@NotBlank @Size(max = 100) String challenge,
            @Pattern(regexp = "[0-9]{6}", message = "must be 6 digits") String code,
            @Size(min = 10, max = 20) String recoveryCode) {

        @AssertTrue(message = "give either code or recoveryCode")
        @JsonIgnore
        public boolean isOneCode() {
            return (code == null) != (recoveryCode == null);
        }
    }

    /** 202: the password was right, now a second factor; no session and no cookie yet. */
    public record MfaRequired(boolean mfaRequired, String challenge, Instant expiresAt, List<String> methods) {
    }

    private RestResponse<Object> mfaRequired(MfaService.Challenge c) {
        return RestResponse.ResponseBuilder.<Object>create(RestResponse.Status.ACCEPTED,
                new MfaRequired(true, c.token(), c.expiresAt(), MfaService.METHODS))
                .header("Cache-Control", "no-store").build();
    }

    private RestResponse<Object> signedIn(SessionService.Created created, String email) {
        return Http.<Object>signedIn(config, created)
                .header("Set-Cookie", Http.deviceCookie(config, devices.issue(email))).build();
    }

    @GET
    @Path("current")
    @Authenticated
    @NonBlocking
    public Dto.CurrentSession current() {
        Caller c = Caller.of(identity);
        return new Dto.CurrentSession(c.sessionId(), c.userId(), c.email(), c.roles());
    }

    /**
     * Confirms the password on the current session (204): what a sensitive change such as linking a sign-in method
     * asks for when the last sign-in is more than five minutes old.
     */
    @POST
    @Path("current/reauthentication")
    @Authenticated
    public Uni<RestResponse<Void>> reauthenticate(@Valid @NotNull Dto.ReauthenticationRequest body) {
        Caller c = Caller.of(identity);
        // guessing the password through this endpoint costs as much as through sign-in
        return limiter.enforce("sign-in-account", "user:" + c.userId())
                .chain(() -> users.reauthenticate(UUID.fromString(c.userId()), UUID.fromString(c.sessionId()),
                        body.password()))
                .map(v -> RestResponse.noContent());
    }

    /** Sign-out. */
    @DELETE
    @Path("current")
    @Authenticated
    public Uni<RestResponse<Void>> signOut() {
        Caller c = Caller.of(identity);
        return sessions.revokeOwn(UUID.fromString(c.userId()), UUID.fromString(c.sessionId()), "signed-out")
                .map(v -> RestResponse.ResponseBuilder.<Void>noContent()
                        .header("Set-Cookie", Http.clearedCookie(config)).build());
    }

    @GET
    @Authenticated
    public Uni<List<Dto.SessionView>> mine() {
        Caller c = Caller.of(identity);
        return sessions.listLive(UUID.fromString(c.userId()))
                .map(list -> list.stream().map(s -> Dto.SessionView.of(s, c.sessionId())).toList());
    }

    @DELETE
    @Path("{id}")
    @Authenticated
    public Uni<RestResponse<Void>> revoke(@PathParam("id") String id) {
        Caller c = Caller.of(identity);
        UUID sessionId = Http.uuid("id", id);
        return sessions.revokeOwn(UUID.fromString(c.userId()), sessionId, "revoked")
                .map(v -> RestResponse.noContent());
    }

    /**
     * {@code scope=others} keeps the calling session; {@code scope=all} signs out everywhere. With
     * {@code unlinkAccounts=true} every linked sign-in method goes too (the answer's {@code linkedAccounts} tells
     * a client whether to offer that).
     */
    @DELETE
    @Authenticated
    public Uni<Dto.Revoked> revokeMany(@QueryParam("scope") String scope,
            @QueryParam("unlinkAccounts") String unlinkAccounts) {
        boolean unlink = Http.flag("unlinkAccounts", unlinkAccounts);
        Caller c = Caller.of(identity);
        boolean others = "others".equals(scope);
        if (!others && !"all".equals(scope)) {
            throw ProblemException.invalidField("scope", "must be others or all");
        }
        UUID keep = others ? UUID.fromString(c.sessionId()) : null;
        return users.signOutEverywhere(UUID.fromString(c.userId()), keep, others ? c.tokenHash() : null,
                others ? "revoked-others" : "revoked-all", unlink).invoke(events::poke).map(Dto.Revoked::of);
    }
}
