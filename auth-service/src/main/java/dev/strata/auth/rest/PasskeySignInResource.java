package dev.strata.auth.rest;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.jboss.resteasy.reactive.RestResponse;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.DeviceCookies;
import dev.strata.auth.service.PasskeyService;
import dev.strata.platform.ratelimit.ClientIpResolver;
import dev.strata.platform.ratelimit.RateLimited;

/**
 * Sign-in with a passkey: request options for {@code navigator.credentials.get}, then the assertion, which opens a
 * session exactly as a password sign-in does (same body, session cookie and device cookie).
 */
@Path("/api/sessions")
public class PasskeySignInResource {

    public record OptionsRequest(@Email @Size(max = 254) String email) {
        public OptionsRequest {
            email = email == null || email.isBlank() ? null : email.trim();
        }
    }

    // PublicKeyCredentialRequestOptionsJSON (WebAuthn Level 3)
    public record RequestOptions(String challenge, long timeout, String rpId,
            List<PasskeyResource.Descriptor> allowCredentials, String userVerification) {
    }

    public record SignInOptions(String challengeId, RequestOptions options) {
        static SignInOptions of(PasskeyService.RequestOptions o) {
            return new SignInOptions(o.challengeId(), new RequestOptions(o.challenge(), o.timeout(), o.rpId(),
                    o.allowCredentials().stream().map(PasskeyResource.Descriptor::of).toList(), "preferred"));
        }
    }

    public record SignInRequest(
            @NotNull @Pattern(regexp = "[A-Za-z0-9_-]{43}", message = "must be the challengeId of the options") String challengeId,
            @NotNull @Size(min = 22, max = 1400) @Pattern(regexp = PasskeyResource.B64URL, message = PasskeyResource.B64URL_MESSAGE) String id,
            @NotNull @Size(min = 1, max = 8192) @Pattern(regexp = PasskeyResource.B64URL, message = PasskeyResource.B64URL_MESSAGE) String clientDataJSON,
            @NotNull @Size(min = 1, max = 8192) @Pattern(regexp = PasskeyResource.B64URL, message = PasskeyResource.B64URL_MESSAGE) String authenticatorData,
            @NotNull @Size(min = 1, max = 2048) @Pattern(regexp = PasskeyResource.B64URL, message = PasskeyResource.B64URL_MESSAGE) String signature,
            @Size(max = 88) @Pattern(regexp = PasskeyResource.B64URL, message = PasskeyResource.B64URL_MESSAGE) String userHandle) {
    }

    private final PasskeyService passkeys;
    private final ClientIpResolver clientIp;
    private final AuthConfig config;
    private final DeviceCookies devices;

    public PasskeySignInResource(PasskeyService passkeys, ClientIpResolver clientIp, AuthConfig config,
            DeviceCookies devices) {
        this.passkeys = passkeys;
        this.clientIp = clientIp;
        this.config = config;
        this.devices = devices;
    }

    /** Options for {@code navigator.credentials.get}; the body (and its e-mail address) is optional. */
    @POST
    @Path("passkey-options")
    @RateLimited("passkey-options-ip")
    public Uni<SignInOptions> options(@Valid OptionsRequest body) {
        return passkeys.signInOptions(body == null ? null : body.email()).map(SignInOptions::of);
    }

    /** 201 like {@code POST /api/sessions}; 400 {@code auth/invalid-passkey}; 403 {@code auth/account-banned}. */
    @POST
    @Path("passkey")
    @RateLimited("sign-in-ip")
    public Uni<RestResponse<Dto.SignInResponse>> signIn(@Valid @NotNull SignInRequest body,
            HttpServerRequest request) {
        String userHandle = body.userHandle() == null || body.userHandle().isEmpty() ? null : body.userHandle();
        var assertion = new PasskeyService.Assertion(body.challengeId(), PasskeyResource.bytes("id", body.id()),
                PasskeyResource.bytes("clientDataJSON", body.clientDataJSON()),
                PasskeyResource.bytes("authenticatorData", body.authenticatorData()),
                PasskeyResource.bytes("signature", body.signature()),
                PasskeyResource.bytes("userHandle", userHandle));
        return passkeys.signIn(assertion, clientIp.resolve(request), request.getHeader("User-Agent")).map(in -> {
            // the same answer as a password sign-in: token once in the body, the session cookie, the device cookie
            return Http.<Dto.SignInResponse>signedIn(config, in.created())
                    .header("Set-Cookie", Http.deviceCookie(config, devices.issue(in.email()))).build();
        });
    }
}
