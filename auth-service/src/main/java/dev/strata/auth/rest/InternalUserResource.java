package dev.strata.auth.rest;

import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.UserService;
import dev.strata.auth.service.WalletProofs;
import dev.strata.auth.service.WalletService;
import dev.strata.platform.internal.InternalAuthFilter;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.StoreFailures;

/**
 * Who a user is, for the services that address users (settings-service's notifications). The platform refuses any
 * {@code /internal/*} call without a service credential (401) before it gets here; of the callers it names, only
 * those in {@code strata.auth.internal.user-readers} (settings, shared) are answered, anyone else 403. A banned
 * account is answered like any other: it still exists and its owner still gets security notices.
 */
@Path("/internal/users")
@Produces(MediaType.APPLICATION_JSON)
public class InternalUserResource {

    private final UserService users;
    private final WalletService wallets;
    private final Set<String> readers;
    private final java.time.Duration timeout;

    public InternalUserResource(UserService users, WalletService wallets, AuthConfig config) {
        this.users = users;
        this.wallets = wallets;
        this.readers = Set.copyOf(config.internal().userReaders());
        this.timeout = config.timeouts().database();
    }

    @GET
    @Path("{id}")
    public Uni<Dto.InternalUser> user(@PathParam("id") String id, RoutingContext rc) {
        authorize(rc);
        UUID userId = Http.uuid("id", id);
        return StoreFailures.bounded(users.byId(userId), timeout, "PostgreSQL").map(u -> new Dto.InternalUser(u.id, u.email, u.emailVerified));
    }

    /** The user who linked (and proved) this address; the address in any case. */
    @GET
    @Path("by-wallet/{address}")
    public Uni<Dto.WalletOwner> byWallet(@PathParam("address") String address, RoutingContext rc) {
        authorize(rc);
        if (!WalletProofs.validAddress(address)) {
            throw ProblemException.invalidField("address", "must be 0x followed by 40 hex digits");
        }
        return wallets.byAddress(address).map(w -> {
            if (w == null) {
                throw ProblemException.notFound("No user has linked this wallet");
            }
            return new Dto.WalletOwner(w.userId, w.address);
        });
    }

    private void authorize(RoutingContext rc) {
        String caller = InternalAuthFilter.callerOf(rc);
        if (caller == null || !readers.contains(caller)) {
            throw ProblemException.forbidden("This service may not read users");
        }
    }
}
