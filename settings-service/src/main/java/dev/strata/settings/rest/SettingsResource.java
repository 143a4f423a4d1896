package dev.strata.settings.rest;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;
import dev.strata.settings.domain.SettingsValue;
import dev.strata.settings.service.SettingsService;

/** The caller's display settings, with optimistic concurrency through ETag / If-Match. */
@Path("/api/settings/me")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SettingsResource {

    public static final String MERGE_PATCH = "application/merge-patch+json";
    private static final Pattern ETAG = Pattern.compile("\"(\\d{1,18})\"");

    public record SettingsBody(@NotNull String locale, @NotNull String timezone, @NotNull String currency,
            @NotNull String theme) {
    }

    private final SettingsService settings;
    private final SecurityIdentity identity;

    public SettingsResource(SettingsService settings, SecurityIdentity identity) {
        this.settings = settings;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "My settings (defaults, version 0, when I never changed any); ETag is the version")
    public Uni<RestResponse<SettingsValue>> get() {
        return settings.get(me()).map(SettingsResource::withEtag);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited("settings-write")
    @Operation(summary = "Replace my settings; If-Match (the ETag read) is required: 428 without, 412 when stale")
    public Uni<RestResponse<SettingsValue>> put(@HeaderParam("If-Match") String ifMatch,
            @Valid @NotNull SettingsBody body) {
        if (ifMatch == null) {
            throw new ProblemException(ProblemType.PRECONDITION_REQUIRED, null,
                    "Send If-Match with the ETag of the settings you read", null, null, null);
        }
        return settings.replace(me(), version(ifMatch),
                new SettingsValue(body.locale(), body.timezone(), body.currency(), body.theme(), 0))
                .map(SettingsResource::withEtag);
    }

    @PATCH
    @Consumes({MERGE_PATCH, MediaType.APPLICATION_JSON})
    @RateLimited("settings-write")
    @Operation(summary = "Change some settings (JSON merge patch: null restores the default); If-Match optional")
    public Uni<RestResponse<SettingsValue>> patch(@HeaderParam("If-Match") String ifMatch, JsonNode body) {
        return settings.patch(me(), ifMatch == null ? null : version(ifMatch), body)
                .map(SettingsResource::withEtag);
    }

    static RestResponse<SettingsValue> withEtag(SettingsValue v) {
        return RestResponse.ResponseBuilder.ok(v).header("ETag", SettingsService.etag(v.version()))
                .header("Cache-Control", "private, no-cache").build();
    }

    /** A strong ETag of ours; anything else cannot match (400 names the header). */
    static long version(String ifMatch) {
        Matcher m = ETAG.matcher(ifMatch.trim());
        if (!m.matches()) {
            throw ProblemException.invalidField("If-Match", "must be the ETag of the settings, like \"3\"");
        }
        return Long.parseLong(m.group(1));
    }

    private UUID me() {
        return UUID.fromString(Caller.of(identity).userId());
    }
}
