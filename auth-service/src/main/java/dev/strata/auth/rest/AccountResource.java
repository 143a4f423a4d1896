package dev.strata.auth.rest;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.OAuthService;
import dev.strata.auth.service.SessionService;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.ratelimit.ClientIpResolver;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;
import dev.strata.platform.security.SessionTokens;

/** Linked OAuth/OIDC accounts: sign-in with a provider, link and unlink for a signed-in user. */
@Path("/api/accounts")
public class AccountResource {

    private final OAuthService oauth;
    private final SecurityIdentity identity;
    private final ClientIpResolver clientIp;
    private final AuthConfig config;
    private final SessionService sessions;

    public AccountResource(OAuthService oauth, SecurityIdentity identity, ClientIpResolver clientIp,
            AuthConfig config, SessionService sessions) {
        this.sessions = sessions;
        this.oauth = oauth;
        this.identity = identity;
        this.clientIp = clientIp;
        this.config = config;
    }

    @GET
    @Authenticated
    public Uni<Dto.AccountList> mine() {
        return oauth.linked(UUID.fromString(Caller.of(identity).userId()))
                .map(list -> new Dto.AccountList(list.stream().map(Dto.AccountView::of).toList()));
    }

    @DELETE
    @Path("{id}")
    @Authenticated
    public Uni<RestResponse<Void>> unlink(@PathParam("id") String id) {
        UUID accountId = Http.uuid("id", id);
        return oauth.unlink(UUID.fromString(Caller.of(identity).userId()), accountId)
                .map(v -> RestResponse.noContent());
    }

    /** Sign-in with a provider: redirects the browser to it. */
    @GET
    @Path("{provider}/authorize")
    @RateLimited("sign-in-ip")
    public Uni<RestResponse<Void>> authorize(@PathParam("provider") String provider, @Context UriInfo uri) {
        String binding = SessionTokens.newToken();
        return oauth.start(provider, "signin", null, oauth.redirectUri(provider, uri.getBaseUri().toString()), binding)
                .map(url -> RestResponse.ResponseBuilder.<Void>seeOther(URI.create(url))
                        .header("Set-Cookie", Http.oauthCookie(config, binding))
                        .header("Cache-Control", "no-store").build());
    }

    /** Link a provider to the signed-in user: answers the URL to send the browser to. */
    @POST
    @Path("{provider}/links")
    @Authenticated
    public Uni<RestResponse<Dto.Authorization>> link(@PathParam("provider") String provider, @Context UriInfo uri) {
        Caller caller = Caller.of(identity);
        String userId = caller.userId();
        String binding = SessionTokens.newToken();
        // adding a way in needs a recent proof of the credentials, not just a (possibly stolen) session
        return sessions.requireRecentAuthentication(UUID.fromString(userId), UUID.fromString(caller.sessionId()),
                        Duration.ofMinutes(5))
                .chain(() -> oauth.start(provider, "link", userId,
                        oauth.redirectUri(provider, uri.getBaseUri().toString()), binding))
                .map(url -> RestResponse.ResponseBuilder.<Dto.Authorization>create(RestResponse.Status.CREATED,
                        new Dto.Authorization(url, Instant.now().plus(config.oauth().stateTtl())))
                        .header("Set-Cookie", Http.oauthCookie(config, binding)).build());
    }

    /** Where the provider sends the browser back: a new session (sign-in) or a new linked account (link). */
    @GET
    @Path("{provider}/callback")
    @RateLimited("sign-in-ip")
    public Uni<RestResponse<Object>> callback(@PathParam("provider") String provider, @QueryParam("code") String code,
            @QueryParam("state") String state, @QueryParam("error") String error, HttpServerRequest request) {
        io.vertx.core.http.Cookie bindingCookie = request.getCookie(Http.oauthCookieName(config));
        String binding = bindingCookie == null ? null : bindingCookie.getValue();
        oauth.provider(provider);
        if (error != null) {
            throw new ProblemException(ProblemType.BAD_REQUEST, OAuthService.PROVIDER_ERROR,
                    "The identity provider did not authorize the sign-in", null, null, null);
        }
        if (state == null || state.isBlank() || state.length() > 200) {
            throw ProblemException.invalidField("state", "is required");
        }
        if (code == null || code.isBlank() || code.length() > 2048) {
            throw ProblemException.invalidField("code", "is required");
        }
        return oauth.finish(provider, code, state, binding, clientIp.resolve(request), request.getHeader("User-Agent"))
                .map(outcome -> {
                    if (outcome.linked() != null) {
                        return RestResponse.ResponseBuilder.<Object>create(RestResponse.Status.CREATED,
                                Dto.AccountView.of(outcome.linked()))
                                .header("Set-Cookie", Http.clearedOauthCookie(config)).build();
                    }
                    return Http.<Object>signedIn(config, outcome.session())
                            .header("Set-Cookie", Http.clearedOauthCookie(config)).build();
                });
    }
}
