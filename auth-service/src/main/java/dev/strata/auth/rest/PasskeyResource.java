package dev.strata.auth.rest;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Passkey;
import dev.strata.auth.service.PasskeyService;
import dev.strata.auth.service.PasskeyVerifier;
import dev.strata.auth.service.SessionService;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;

/**
 * The caller's passkeys (WebAuthn): creation options for {@code navigator.credentials.create}, the registration of
 * its result, the list, and removal. See {@link PasskeyService}.
 */
@Path("/api/users/me/passkeys")
@Authenticated
public class PasskeyResource {

    /** base64url, padded or not (what the browser's JSON forms of WebAuthn objects carry). */
    static final String B64URL = "[A-Za-z0-9_-]*={0,2}";
    static final String B64URL_MESSAGE = "must be base64url";

    public record RegistrationRequest(
            @Size(max = 100) @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters") String name,
            @NotNull @Size(min = 22, max = 1400) @Pattern(regexp = B64URL, message = B64URL_MESSAGE) String id,
            @NotNull @Size(min = 1, max = 8192) @Pattern(regexp = B64URL, message = B64URL_MESSAGE) String clientDataJSON,
            @NotNull @Size(min = 1, max = 65536) @Pattern(regexp = B64URL, message = B64URL_MESSAGE) String attestationObject,
            @Size(max = 10) List<@NotNull @Pattern(regexp = "[a-z][a-z0-9-]{0,31}",
                    message = "must be a transport name such as usb, nfc, ble, hybrid or internal") String> transports) {
    }

    public record PasskeyView(UUID id, String credentialId, String name, Instant createdAt, Instant lastUsedAt) {
        static PasskeyView of(Passkey p) {
            return new PasskeyView(p.id, Base64.getUrlEncoder().withoutPadding().encodeToString(p.credentialId),
                    p.name, p.createdAt, p.lastUsedAt);
        }
    }

    public record PasskeyList(List<PasskeyView> passkeys) {
    }

    // PublicKeyCredentialCreationOptionsJSON (WebAuthn Level 3), ready for PublicKeyCredential.parseCreationOptionsFromJSON
    public record CreationOptions(String challenge, RelyingParty rp, UserEntity user, List<Parameter> pubKeyCredParams,
            long timeout, List<Descriptor> excludeCredentials, Selection authenticatorSelection, String attestation) {
        static CreationOptions of(PasskeyService.CreationOptions o) {
            return new CreationOptions(o.challenge(), new RelyingParty(o.rpId(), o.rpName()),
                    new UserEntity(o.userId(), o.userName(), o.userDisplayName()),
                    PasskeyVerifier.ALGORITHMS.stream().map(a -> new Parameter("public-key", a.getValue())).toList(),
                    o.timeout(), o.excludeCredentials().stream().map(Descriptor::of).toList(),
                    new Selection("preferred", false, "preferred"), "none");
        }
    }

    public record RelyingParty(String id, String name) {
    }

    public record UserEntity(String id, String name, String displayName) {
    }

    public record Parameter(String type, long alg) {
    }

    public record Descriptor(String type, String id, List<String> transports) {
        static Descriptor of(PasskeyService.Descriptor d) {
            return new Descriptor("public-key", d.id(), d.transports());
        }
    }

    public record Selection(String residentKey, boolean requireResidentKey, String userVerification) {
    }

    private final PasskeyService passkeys;
    private final SessionService sessions;
    private final SecurityIdentity identity;

    public PasskeyResource(PasskeyService passkeys, SessionService sessions, SecurityIdentity identity) {
        this.passkeys = passkeys;
        this.sessions = sessions;
        this.identity = identity;
    }

    @GET
    public Uni<PasskeyList> mine() {
        return passkeys.ofUser(me()).map(list -> new PasskeyList(list.stream().map(PasskeyView::of).toList()));
    }

    /**
     * Options for {@code navigator.credentials.create}. Adding a way in needs a recent proof of the credentials
     * (a sign-in or re-authentication within 5 minutes), not just a (possibly stolen) session.
     */
    @POST
    @Path("registration-options")
    @RateLimited("passkey-registration")
    public Uni<CreationOptions> registrationOptions() {
        Caller c = Caller.of(identity);
        UUID userId = UUID.fromString(c.userId());
        UUID sessionId = UUID.fromString(c.sessionId());
        return sessions.requireRecentAuthentication(userId, sessionId, Duration.ofMinutes(5))
                .chain(() -> passkeys.registrationOptions(userId, sessionId)).map(CreationOptions::of);
    }

    /** 201 with the new passkey; 400 {@code auth/invalid-passkey} when the response does not verify; 409 if known. */
    @POST
    @RateLimited("passkey-registration")
    public Uni<RestResponse<PasskeyView>> register(@Valid @NotNull RegistrationRequest body) {
        Caller c = Caller.of(identity);
        var registration = new PasskeyService.Registration(body.name(), bytes("id", body.id()),
                bytes("clientDataJSON", body.clientDataJSON()), bytes("attestationObject", body.attestationObject()),
                body.transports() == null ? null : new LinkedHashSet<>(body.transports()));
        return passkeys.register(UUID.fromString(c.userId()), UUID.fromString(c.sessionId()), registration)
                .map(p -> RestResponse.ResponseBuilder
                        .<PasskeyView>created(URI.create("/api/users/me/passkeys/" + p.id))
                        .entity(PasskeyView.of(p)).build());
    }

    @DELETE
    @Path("{id}")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return passkeys.delete(me(), Http.uuid("id", id)).map(v -> RestResponse.noContent());
    }

    private UUID me() {
        return UUID.fromString(Caller.of(identity).userId());
    }

    /** Decodes a base64url field (already checked for its alphabet); a length no encoding has is a 400 naming it. */
    static byte[] bytes(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField(field, B64URL_MESSAGE);
        }
    }
}
