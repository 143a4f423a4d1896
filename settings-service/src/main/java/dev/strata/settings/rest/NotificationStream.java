package dev.strata.settings.rest;

import java.net.URI;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.strata.platform.problem.Problem;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.security.SessionCookie;
import dev.strata.platform.security.SessionIdentityProvider;
import dev.strata.platform.security.SessionTokenRequest;
import dev.strata.platform.security.SessionTokens;
import dev.strata.settings.config.SettingsConfig;
import dev.strata.settings.service.PushHub;

/**
 * {@code GET /api/notifications/stream}: the live side of the inbox, a WebSocket carrying
 * {@code {"type":"notification","notification":{…inbox entry…}}} for the signed-in user. The session token comes
 * from {@code Authorization: Bearer} (non-browser clients), the session cookie (same-origin pages), or, for pages
 * that hold the token themselves, the first message {@code {"type":"auth","token":"…"}} within a few seconds.
 * A Vert.x server WebSocket on the service's HTTP server (see README: websockets-next does not resolve at the pinned
 * platform version).
 */
@ApplicationScoped
public class NotificationStream {

    public static final String PATH = "/api/notifications/stream";

    private static final Logger LOG = Logger.getLogger(NotificationStream.class);

    private final SessionIdentityProvider identities;
    private final PushHub hub;
    private final SettingsConfig.Push config;
    private final io.vertx.core.Vertx vertx;

    public NotificationStream(SessionIdentityProvider identities, PushHub hub, SettingsConfig config,
            io.vertx.core.Vertx vertx) {
        this.vertx = vertx;
        this.identities = identities;
        this.hub = hub;
        this.config = config.push();
    }

    void install(@Observes Router router) {
        router.get(PATH).order(-100).handler(this::handshake);
    }

    private void handshake(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            Problem p = new Problem(ProblemType.BASE + "upgrade-required", "Upgrade required", 426,
                    "This endpoint speaks WebSocket only (Upgrade: websocket)", PATH, null);
            rc.response().setStatusCode(426).putHeader("Upgrade", "websocket")
                    .putHeader("Content-Type", Problem.MEDIA_TYPE).end(Json.encode(p));
            return;
        }
        String header = req.getHeader("Authorization");
        String token = null;
        boolean byCookie = false;
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                problem(rc, 401, ProblemType.UNAUTHENTICATED, "Only Bearer session tokens are accepted");
                return;
            }
            token = header.substring(7).trim();
        } else {
            Cookie cookie = req.getCookie(SessionCookie.name());
            if (cookie != null) {
                token = cookie.getValue();
                byCookie = true;
            }
        }
        if (byCookie && !originAllowed(req)) {
            problem(rc, 403, ProblemType.FORBIDDEN, "This origin may not open a socket with the session cookie");
            return;
        }
        if (token == null) {
            // a browser page holding the token itself: it comes as the first message
            req.toWebSocket().onSuccess(this::awaitAuthMessage).onFailure(x -> LOG.debugf("upgrade failed: %s", x));
            return;
        }
        req.pause();
        resolve(token).subscribe().with(identity -> {
            req.resume();
            req.toWebSocket().onSuccess(ws -> open(ws, identity)).onFailure(x -> LOG.debugf("upgrade failed: %s", x));
        }, failure -> {
            req.resume();
            if (failure instanceof ProblemException p && p.type().status() >= 500) {
                problem(rc, 503, ProblemType.DEPENDENCY_UNAVAILABLE, "The session store is unavailable");
            } else {
                problem(rc, 401, ProblemType.UNAUTHENTICATED, "The session is not valid");
            }
        });
    }

    private void awaitAuthMessage(ServerWebSocket ws) {
        long timer = vertx.setTimer(config.authTimeout().toMillis(), id -> {
            if (!ws.isClosed()) {
                ws.close((short) 1008, "unauthenticated");
            }
        });
        ws.textMessageHandler(text -> {
            ws.textMessageHandler(null);
            String token;
            try {
                JsonObject m = new JsonObject(text);
                token = "auth".equals(m.getString("type")) ? m.getString("token") : null;
            } catch (RuntimeException x) {
                token = null;
            }
            if (token == null) {
                vertx.cancelTimer(timer);
                ws.close((short) 1008, "unauthenticated");
                return;
            }
            resolve(token).subscribe().with(identity -> {
                vertx.cancelTimer(timer);
                open(ws, identity);
            }, failure -> {
                vertx.cancelTimer(timer);
                boolean storeDown = failure instanceof ProblemException p && p.type().status() >= 500;
                ws.close(storeDown ? (short) 1011 : (short) 1008, storeDown ? "session store unavailable"
                        : "unauthenticated");
            });
        });
    }

    private void open(ServerWebSocket ws, SecurityIdentity identity) {
        if (ws.isClosed()) {
            return;
        }
        String userId = identity.getPrincipal().getName();
        PushHub.Connection c = new PushHub.Connection(userId, identity.getAttribute(SessionIdentityProvider.TOKEN_HASH),
                ws);
        hub.register(c);
        // what the client sends afterwards is not read: the socket is one-way
        ws.textMessageHandler(text -> {
        });
        ws.writeTextMessage(Json.encode(new JsonObject().put("type", "ready").put("userId", userId)));
    }

    private Uni<SecurityIdentity> resolve(String token) {
        if (!SessionTokens.wellFormed(token)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("malformed session token"));
        }
        return identities.authenticate(new SessionTokenRequest(token), null)
                .ifNoItem().after(java.time.Duration.ofSeconds(3))
                .failWith(() -> ProblemException.dependencyDown("session store", null));
    }

    private boolean originAllowed(HttpServerRequest req) {
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return true; // not a browser: cookies were not sent on someone else's behalf
        }
        List<String> allowed = config.allowedOrigins().orElse(List.of());
        if (allowed.contains(origin)) {
            return true;
        }
        try {
            URI o = URI.create(origin);
            String host = req.getHeader("Host");
            return host != null && o.getAuthority() != null && o.getAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException x) {
            return false;
        }
    }

    private static void problem(RoutingContext rc, int status, ProblemType type, String detail) {
        Problem p = new Problem(type.uri(), type.title(), status, detail, PATH, null);
        rc.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE).end(Json.encode(p));
    }

}
