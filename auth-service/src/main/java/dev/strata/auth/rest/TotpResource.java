package dev.strata.auth.rest;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.service.SessionService;
import dev.strata.auth.service.TotpService;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;

/**
 * The caller's TOTP two-factor sign-in: enrol (secret, otpauth URI, QR code), confirm with a first code (answers
 * the recovery codes, once), remove (password and a code), new recovery codes, status. See {@link TotpService}.
 */
@Path("/api/users/me/totp")
@Authenticated
public class TotpResource {

    /** As for linking a sign-in method: adding a factor needs a recent proof of the password, not just a session. */
    static final Duration RECENT = Duration.ofMinutes(5);

    public record Enrolment(String secret, String otpauthUri, String qrCode) {
    }

    public record CodeRequest(@NotBlank @Size(max = 20) String code) {
    }

    public record RemovalRequest(@NotNull @Size(max = 1024) String password, @NotBlank @Size(max = 20) String code) {
    }

    public record RecoveryCodes(List<String> recoveryCodes) {
    }

    public record Status(boolean enabled, long recoveryCodesLeft) {
    }

    private final TotpService totp;
    private final SessionService sessions;
    private final SecurityIdentity identity;

    public TotpResource(TotpService totp, SessionService sessions, SecurityIdentity identity) {
        this.totp = totp;
        this.sessions = sessions;
        this.identity = identity;
    }

    @GET
    public Uni<Status> status() {
        return totp.status(me()).map(s -> new Status(s.enabled(), s.recoveryCodesLeft()));
    }

    /** 201 with a new pending secret (replacing an unconfirmed one); 409 when TOTP is enabled already. */
    @POST
    @RateLimited("totp")
    public Uni<RestResponse<Enrolment>> enroll() {
        Caller c = Caller.of(identity);
        return sessions.requireRecentAuthentication(me(), UUID.fromString(c.sessionId()), RECENT)
                .chain(() -> totp.enroll(me()))
                .map(e -> RestResponse.ResponseBuilder.<Enrolment>created(URI.create("/api/users/me/totp"))
                        .entity(new Enrolment(e.secret(), e.otpauthUri(), e.qrCode()))
                        .header("Cache-Control", "no-store").build());
    }

    /** Enables TOTP with a first code; the recovery codes are in this answer and nowhere else. */
    @POST
    @Path("confirmation")
    @RateLimited("totp")
    public Uni<RestResponse<RecoveryCodes>> confirm(@Valid @NotNull CodeRequest body) {
        return totp.confirm(me(), body.code()).map(codes -> RestResponse.ResponseBuilder
                .ok(new RecoveryCodes(codes)).header("Cache-Control", "no-store").build());
    }

    /** Turns TOTP off: the password and a TOTP or recovery code. */
    @POST
    @Path("removal")
    @RateLimited("totp")
    public Uni<RestResponse<Void>> remove(@Valid @NotNull RemovalRequest body) {
        return totp.disable(me(), body.password(), body.code()).map(v -> RestResponse.noContent());
    }

    /** New recovery codes for a TOTP or recovery code; every earlier recovery code stops working. */
    @POST
    @Path("recovery-codes")
    @RateLimited("totp")
    public Uni<RestResponse<RecoveryCodes>> regenerate(@Valid @NotNull CodeRequest body) {
        return totp.regenerate(me(), body.code()).map(codes -> RestResponse.ResponseBuilder
                .ok(new RecoveryCodes(codes)).header("Cache-Control", "no-store").build());
    }

    private UUID me() {
        return UUID.fromString(Caller.of(identity).userId());
    }
}
