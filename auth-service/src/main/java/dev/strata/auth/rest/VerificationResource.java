package dev.strata.auth.rest;

import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.domain.Verification;
import dev.strata.auth.service.VerificationService;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.RateLimiter;
import dev.strata.platform.security.Caller;

/** Proves control of the caller's e-mail address or of a phone number with a one-time code. */
@Path("/api/verifications")
@Authenticated
public class VerificationResource {

    private final VerificationService verifications;
    private final RateLimiter limiter;
    private final SecurityIdentity identity;

    public VerificationResource(VerificationService verifications, RateLimiter limiter, SecurityIdentity identity) {
        this.verifications = verifications;
        this.limiter = limiter;
        this.identity = identity;
    }

    @POST
    public Uni<RestResponse<VerificationService.Sent>> send(@Valid @NotNull Dto.CodeRequest body) {
        UUID userId = UUID.fromString(Caller.of(identity).userId());
        requirePhone(body.channel(), body.phone());
        return verifications.identifier(userId, body.channel(), body.phone())
                // keyed by requester and identifier: another user asking for codes to my number spends their budget
                .call(id -> limiter.enforce("code-send", body.channel() + ":" + userId + ":" + id))
                // and per account: one user must not pump codes to many phone numbers (SMS costs money)
                .call(id -> limiter.enforce("code-send-account", userId.toString()))
                .call(id -> Verification.PHONE.equals(body.channel())
                        ? limiter.enforce("code-sms-daily", userId.toString())
                        : Uni.createFrom().voidItem())
                .chain(id -> verifications.send(userId, body.channel(), id))
                .map(sent -> RestResponse.status(RestResponse.Status.ACCEPTED, sent));
    }

    @POST
    @Path("checks")
    public Uni<RestResponse<Void>> check(@Valid @NotNull Dto.CodeCheck body) {
        UUID userId = UUID.fromString(Caller.of(identity).userId());
        requirePhone(body.channel(), body.phone());
        String channel = body.channel();
        Uni<String> identifier = Verification.EMAIL.equals(channel)
                ? verifications.identifier(userId, channel, null)
                : Uni.createFrom().item(body.phone());
        return identifier.call(id -> limiter.enforce("code-check", channel + ":" + userId + ":" + id))
                .chain(id -> verifications.check(userId, channel, id, body.code()))
                .map(outcome -> {
                    if (outcome != VerificationService.Outcome.VERIFIED) {
                        throw VerificationService.failure(outcome);
                    }
                    return RestResponse.noContent();
                });
    }

    private static void requirePhone(String channel, String phone) {
        if (Verification.PHONE.equals(channel) && phone == null) {
            throw ProblemException.invalidField("phone", "is required for the phone channel");
        }
    }
}
