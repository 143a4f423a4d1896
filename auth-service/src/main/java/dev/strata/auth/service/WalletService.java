package dev.strata.auth.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.Wallet;
import dev.strata.auth.repository.WalletRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.StoreFailures;

/**
 * EVM wallets linked to users. Linking is a proof of control: the user asks for a one-time challenge (kept in Redis
 * under {@value #CHALLENGE_PREFIX}{@code <userId>:<address>} for {@code strata.auth.wallets.challenge-ttl}), signs it
 * with {@code personal_sign}, and sends the signature back; the challenge is taken from Redis atomically (GETDEL),
 * so it serves one attempt only, right or wrong. An address belongs to at most one user.
 */
@ApplicationScoped
public class WalletService {

    public static final String CHALLENGE_PREFIX = "auth:wallet-challenge:";
    public static final String WALLET_TAKEN = "https://strata.dev/problems/auth/wallet-taken";
    static final String PRIMARY_KEY = "wallets_pkey";

    /** A challenge to sign. */
    public record Challenge(String address, String message, Instant expiresAt) {
    }

    /** The wallet after a link; {@code created} is false when the user had linked it already. */
    public record Linked(Wallet wallet, boolean created) {
    }

    private final WalletRepository wallets;
    private final AccountEvents events;
    private final ReactiveValueCommands<String, String> values;
    private final AuthConfig.Wallets config;
    private final AuthConfig.Timeouts timeouts;

    public WalletService(WalletRepository wallets, AccountEvents events, ReactiveRedisDataSource redis,
            AuthConfig config) {
        this.wallets = wallets;
        this.events = events;
        this.values = redis.value(String.class);
        this.config = config.wallets();
        this.timeouts = config.timeouts();
    }

    /** Issues a new challenge for the user and address; it replaces any earlier one for the same pair. */
    public Uni<Challenge> challenge(UUID userId, String address) {
        String a = WalletProofs.normalize(address);
        Instant issued = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = issued.plus(config.challengeTtl());
        String message = WalletProofs.message(a, userId, WalletProofs.nonce(), issued, expires);
        return redis(values.set(key(userId, a), message, new SetArgs().px(config.challengeTtl())))
                .replaceWith(new Challenge(a, message, expires));
    }

    /**
     * Redeems the user's challenge for {@code address} with {@code signature}: the signer recovered from it must be
     * the address. Then the wallet is stored (with the {@code accounts.wallet_linked} event in the same
     * transaction), or found already linked to this user; linked to anybody else it is a 409.
     */
    public Uni<Linked> link(UUID userId, String address, String signature) {
        String a = WalletProofs.normalize(address);
        return redis(values.getdel(key(userId, a))).chain(message -> {
            if (message == null) {
                return Uni.createFrom().failure(ProblemException.invalidField("signature",
                        "no open challenge for this address (expired, used or never issued): request a new one"));
            }
            String signer = WalletProofs.signer(message, signature);
            if (!a.equals(signer)) {
                return Uni.createFrom().failure(ProblemException.invalidField("signature",
                        "is not a signature of the challenge by this address's key"));
            }
            return db(store(userId, a))
                    // two links of one address at once: the primary key decides, then the winner is read back
                    .onFailure(e -> StoreFailures.uniqueViolation(e, PRIMARY_KEY))
                    .recoverWithUni(() -> db(wallets.findById(a)).map(w -> {
                        if (w == null || !w.userId.equals(userId)) {
                            throw taken();
                        }
                        return new Linked(w, false);
                    }))
                    .invoke(l -> {
                        if (l.created()) {
                            events.poke();
                        }
                    });
        });
    }

    @WithTransaction
    Uni<Linked> store(UUID userId, String address) {
        return wallets.findById(address).chain(existing -> {
            if (existing != null) {
                return existing.userId.equals(userId) ? Uni.createFrom().item(new Linked(existing, false))
                        : Uni.createFrom().failure(taken());
            }
            Wallet w = new Wallet();
            w.address = address;
            w.userId = userId;
            w.linkedAt = Instant.now();
            return wallets.persistAndFlush(w).chain(() -> events.walletLinked(userId, address))
                    .replaceWith(new Linked(w, true));
        });
    }

    public Uni<List<Wallet>> ofUser(UUID userId) {
        return db(wallets.ofUser(userId));
    }

    /** Unlinks one of the user's addresses; anybody else's or an unknown one is a 404. */
    public Uni<Void> unlink(UUID userId, String address) {
        return db(remove(userId, WalletProofs.normalize(address))).invoke(events::poke);
    }

    @WithTransaction
    Uni<Void> remove(UUID userId, String address) {
        return wallets.deleteOwned(userId, address).chain(n -> n == 0
                ? Uni.createFrom().failure(ProblemException.notFound("No such wallet"))
                : events.walletUnlinked(userId, address));
    }

    /** The wallet with this address (any case), or null. */
    public Uni<Wallet> byAddress(String address) {
        return db(wallets.findById(WalletProofs.normalize(address)));
    }

    private static String key(UUID userId, String address) {
        return CHALLENGE_PREFIX + userId + ":" + address;
    }

    private static ProblemException taken() {
        return new ProblemException(ProblemType.CONFLICT, WALLET_TAKEN,
                "This wallet address is linked to another account", null, null, null);
    }

    private <T> Uni<T> redis(Uni<T> call) {
        return StoreFailures.bounded(call, timeouts.redis(), "Redis");
    }

    private <T> Uni<T> db(Uni<T> call) {
        return StoreFailures.bounded(call, timeouts.database(), "PostgreSQL");
    }
}
