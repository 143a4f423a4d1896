package dev.strata.auth.rest;

import java.net.URI;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.service.WalletProofs;
import dev.strata.auth.service.WalletService;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;

/**
 * The caller's EVM wallets: ask for a challenge, sign it with the wallet ({@code personal_sign}), send the signature
 * back. See {@link WalletService}.
 */
@Path("/api/users/me/wallets")
@Authenticated
public class WalletResource {

    private final WalletService wallets;
    private final SecurityIdentity identity;

    public WalletResource(WalletService wallets, SecurityIdentity identity) {
        this.wallets = wallets;
        this.identity = identity;
    }

    @GET
    public Uni<Dto.WalletList> mine() {
        return wallets.ofUser(me()).map(list -> new Dto.WalletList(list.stream().map(Dto.WalletView::of).toList()));
    }

    /** A one-time message to sign with the wallet, valid for 5 minutes; a new one replaces the earlier one. */
    @POST
    @Path("challenge")
    @RateLimited("wallet-challenge")
    public Uni<Dto.WalletChallenge> challenge(@Valid @NotNull Dto.WalletChallengeRequest body) {
        return wallets.challenge(me(), body.address()).map(Dto.WalletChallenge::of);
    }

    /** 201 with the new wallet; 200 when the caller had linked it already; 409 when somebody else has. */
    @POST
    public Uni<RestResponse<Dto.WalletView>> link(@Valid @NotNull Dto.WalletLinkRequest body) {
        return wallets.link(me(), body.address(), body.signature()).map(l -> {
            Dto.WalletView view = Dto.WalletView.of(l.wallet());
            return l.created()
                    ? RestResponse.ResponseBuilder.<Dto.WalletView>created(
                            URI.create("/api/users/me/wallets/" + view.address())).entity(view).build()
                    : RestResponse.ok(view);
        });
    }

    @DELETE
    @Path("{address}")
    public Uni<RestResponse<Void>> unlink(@PathParam("address") String address) {
        if (!WalletProofs.validAddress(address)) {
            throw ProblemException.invalidField("address", "must be 0x followed by 40 hex digits");
        }
        return wallets.unlink(me(), address).map(v -> RestResponse.noContent());
    }

    private UUID me() {
        return UUID.fromString(Caller.of(identity).userId());
    }
}
