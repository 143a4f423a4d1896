package dev.strata.platform.internal;

import java.security.MessageDigest;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.Problems;
import dev.strata.platform.security.SessionTokens;

/**
 * {@code /internal/*} answers only callers holding the service credential ({@code strata.internal.token}).
 * Without a configured token every internal call is refused: fail closed.
 */
public class InternalAuthFilter {

    private final Optional<byte[]> expectedDigest;

    public InternalAuthFilter(@ConfigProperty(name = "strata.internal.token") Optional<String> token) {
        this.expectedDigest = token.filter(t -> !t.isBlank()).map(SessionTokens::sha256);
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (!path.startsWith("/internal/") && !path.equals("/internal")) {
            return null;
        }
        String header = ctx.getHeaderString("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim() : null;
        if (presented != null && expectedDigest.isPresent()
                // digests have equal length, so the comparison time does not depend on the token
                && MessageDigest.isEqual(SessionTokens.sha256(presented), expectedDigest.get())) {
            return null;
        }
        return Response.fromResponse(Problems.response(ProblemType.UNAUTHENTICATED,
                "A valid service credential is required", path)).header("WWW-Authenticate", "Bearer").build();
    }

}
