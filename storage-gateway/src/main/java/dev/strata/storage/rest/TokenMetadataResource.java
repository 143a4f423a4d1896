package dev.strata.storage.rest;

import java.net.URI;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.storage.service.TokenMetadataService;
import dev.strata.storage.service.TokenMetadataService.Kind;

/**
 * Token logos and metadata: written by admins and issuers, read by anyone without a session through a redirect
 * to a short-lived presigned GET (which works whether or not the backend supports a public-read policy).
 */
@Path("/api/token-metadata/{address}/{kind}")
public class TokenMetadataResource {

    private final TokenMetadataService tokens;

    public TokenMetadataResource(TokenMetadataService tokens) {
        this.tokens = tokens;
    }

    /** The raw file as the body: {@code image/png|jpeg|webp} for {@code logo}, JSON for {@code metadata}. */
    @PUT
    @RolesAllowed({ "admin", "issuer" })
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<TokenMetadataService.Stored> put(@PathParam("address") String address, @PathParam("kind") String kind,
            @HeaderParam("Content-Type") String contentType, byte[] body) {
        return tokens.put(address, kind(kind), contentType, body);
    }

    @GET
    @PermitAll
    @RateLimited("token-metadata-reads")
    public Uni<Response> read(@PathParam("address") String address, @PathParam("kind") String kind) {
        return tokens.publicUrl(address, kind(kind)).map(u -> {
            CacheControl cc = new CacheControl();
            cc.setMaxAge(60);
            return Response.status(Response.Status.FOUND).location(URI.create(u.url())).cacheControl(cc).build();
        });
    }

    private static Kind kind(String kind) {
        return Kind.parse(kind).orElseThrow(() -> ProblemException.notFound("No such token resource"));
    }
}
