package dev.strata.platform.internal;

import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.ext.web.RoutingContext;

import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.Problems;
import dev.strata.platform.security.SessionTokens;

/**
 * {@code /internal/*} answers only callers holding a service credential. Each calling service has its own
 * ({@code strata.internal.callers.<service>=<token>}), so the callee knows <em>which</em> service calls and can
 * allow each one only what it needs ({@link #callerOf(RoutingContext)}); {@code strata.internal.token} is the older
 * credential shared by all services, known as caller {@value #SHARED}. Without any credential configured every
 * internal call is refused: fail closed.
 */
public class InternalAuthFilter {

    public static final String SHARED = "shared";
    static final String CALLER = "strata.internal.caller";

    private final Map<String, byte[]> digests = new LinkedHashMap<>();

    public InternalAuthFilter(@ConfigProperty(name = "strata.internal.token") Optional<String> token,
            InternalCallers callers) {
        callers.callers().forEach((name, t) -> {
            if (t != null && !t.isBlank()) {
                digests.put(name, SessionTokens.sha256(t));
            }
        });
        token.filter(t -> !t.isBlank()).ifPresent(t -> digests.put(SHARED, SessionTokens.sha256(t)));
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext ctx, RoutingContext routing) {
        String path = ctx.getUriInfo().getPath();
        if (!path.startsWith("/internal/") && !path.equals("/internal")) {
            return null;
        }
        String header = ctx.getHeaderString("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim() : null;
        if (presented != null) {
            byte[] digest = SessionTokens.sha256(presented);
            String caller = null;
            // every credential is compared (digests have equal length): the time taken does not tell which matched
            for (Map.Entry<String, byte[]> e : digests.entrySet()) {
                if (MessageDigest.isEqual(digest, e.getValue()) && caller == null) {
                    caller = e.getKey();
                }
            }
            if (caller != null) {
                routing.put(CALLER, caller);
                return null;
            }
        }
        return Response.fromResponse(Problems.response(ProblemType.UNAUTHENTICATED,
                "A valid service credential is required", path)).header("WWW-Authenticate", "Bearer").build();
    }

    /** The calling service's name ({@code strata.internal.callers.<name>}), or null outside {@code /internal}. */
    public static String callerOf(RoutingContext routing) {
        return routing == null ? null : routing.get(CALLER);
    }
}
