package dev.strata.auth.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.webauthn4j.data.client.ClientDataType;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.Passkey;
import dev.strata.auth.domain.User;
import dev.strata.auth.repository.PasskeyRepository;
import dev.strata.auth.repository.UserRepository;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.problem.StoreFailures;
import dev.strata.platform.security.SessionTokens;

/**
 * Passkeys (WebAuthn) as a second way to sign in. Registration: a signed-in user who proved their credentials
 * recently asks for creation options, the browser has an authenticator make a key pair, and the attestation it
 * returns is verified against the challenge, which waits in Redis under {@value #REGISTRATION_PREFIX}{@code
 * <sha256(challenge)>} bound to that user and session. Sign-in: anyone asks for request options (a challenge under
 * {@value #SIGN_IN_PREFIX}{@code <sha256(challengeId)>}), the authenticator signs it, and a verified assertion opens
 * a session exactly like a password sign-in. Every challenge is taken from Redis atomically (GETDEL): one attempt,
 * right or wrong, and two requests racing with one challenge cannot both succeed.
 */
@ApplicationScoped
public class PasskeyService {

    public static final String REGISTRATION_PREFIX = "auth:passkey-registration:";
    public static final String SIGN_IN_PREFIX = "auth:passkey-sign-in:";
    public static final String PASSKEY_EXISTS = "https://strata.dev/problems/auth/passkey-exists";
    static final String CREDENTIAL_KEY = "passkeys_credential_id_key";
    static final String DEFAULT_NAME = "Passkey";
    /** Common transport sets, so the made-up credentials of addresses without passkeys look like real ones. */
    private static final List<List<String>> DECOY_TRANSPORTS = List.of(List.of("hybrid", "internal"),
            List.of("internal"), List.of("usb"), List.of("nfc", "usb"));
    private static final int[] DECOY_LENGTHS = {16, 20, 32, 64};
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /** Creation options (the JSON form of PublicKeyCredentialCreationOptions, byte fields base64url). */
    public record CreationOptions(String challenge, long timeout, String rpId, String rpName, String userId,
            String userName, String userDisplayName, List<Descriptor> excludeCredentials) {
    }

    /** A credential descriptor of allowCredentials / excludeCredentials. */
    public record Descriptor(String id, List<String> transports) {
    }

    /** Request options with the id under which their challenge waits. */
    public record RequestOptions(String challengeId, String challenge, long timeout, String rpId,
            List<Descriptor> allowCredentials) {
    }

    /** A registration response as the browser returned it (byte fields decoded). */
    public record Registration(String name, byte[] id, byte[] clientDataJSON, byte[] attestationObject,
            Set<String> transports) {
    }

    /** A sign-in assertion as the browser returned it (byte fields decoded; userHandle may be null). */
    public record Assertion(String challengeId, byte[] id, byte[] clientDataJSON, byte[] authenticatorData,
            byte[] signature, byte[] userHandle) {
    }

    /** A session opened by a passkey, with the e-mail address its device cookie is bound to. */
    public record SignedIn(SessionService.Created created, String email) {
    }

    /** What waits in Redis for a sign-in: the challenge, and the only credentials that may answer it (if any). */
    public record PendingSignIn(String challenge, List<String> allow) {
    }

    private final PasskeyRepository passkeys;
    private final UserRepository users;
    private final PasskeyVerifier verifier;
    private final SessionService sessions;
    private final AccountEvents events;
    private final AuthMetrics metrics;
    private final ObjectMapper json;
    private final ReactiveValueCommands<String, String> values;
    private final AuthConfig.Passkeys config;
    private final AuthConfig.Timeouts timeouts;
    private final SecureRandom random = new SecureRandom();
    private final byte[] decoyKey;

    public PasskeyService(PasskeyRepository passkeys, UserRepository users, PasskeyVerifier verifier,
            SessionService sessions, AccountEvents events, AuthMetrics metrics, ObjectMapper json,
            ReactiveRedisDataSource redis, AuthConfig config) {
        this.passkeys = passkeys;
        this.users = users;
        this.verifier = verifier;
        this.sessions = sessions;
        this.events = events;
        this.metrics = metrics;
        this.json = json;
        this.values = redis.value(String.class);
        this.config = config.passkeys();
        this.timeouts = config.timeouts();
        // derived from the code pepper (shared by replicas), so an address's made-up credentials are the same on
        // every replica and every day; dev/test without one: per process
        byte[] base = config.codes().pepper().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
            byte[] b = new byte[32];
            random.nextBytes(b);
            return b;
        });
        this.decoyKey = hmac(base, "strata-passkey-decoys-v1".getBytes(StandardCharsets.UTF_8));
    }

    // --- registration ---------------------------------------------------------------------------------------

    /** New creation options for the user; the challenge waits bound to this user and session. */
    public Uni<CreationOptions> registrationOptions(UUID userId, UUID sessionId) {
        return db(loadUserAndPasskeys(userId)).chain(found -> {
            String challenge = randomBase64Url(32);
            return redis(values.set(REGISTRATION_PREFIX + SessionTokens.hash(challenge),
                    userId + ":" + sessionId, new SetArgs().px(config.challengeTtl())))
                    .replaceWith(new CreationOptions(challenge, config.challengeTtl().toMillis(), config.rpId(),
                            config.rpName(), B64URL.encodeToString(userHandle(userId)), found.user().email,
                            found.user().name == null || found.user().name.isBlank() ? found.user().email
                                    : found.user().name,
                            found.passkeys().stream().map(PasskeyService::descriptor).toList()));
        });
    }

    record UserAndPasskeys(User user, List<Passkey> passkeys) {
    }

    @WithSession
    Uni<UserAndPasskeys> loadUserAndPasskeys(UUID userId) {
        return users.findById(userId).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user"))
                .chain(u -> passkeys.ofUser(userId).map(list -> new UserAndPasskeys(u, list)));
    }

    /**
     * Verifies a registration response and stores the passkey (with {@code accounts.passkey_added} in the same
     * transaction). The challenge must be one issued to this user and session; it is spent by this attempt.
     */
    public Uni<Passkey> register(UUID userId, UUID sessionId, Registration r) {
        return Uni.createFrom().item(() -> verifier.challengeOf(r.clientDataJSON(), ClientDataType.WEBAUTHN_CREATE))
                .chain(challenge -> redis(values.getdel(REGISTRATION_PREFIX + SessionTokens.hash(challenge)))
                        .chain(owner -> {
                            if (owner == null || !owner.equals(userId + ":" + sessionId)) {
                                return Uni.createFrom().failure(PasskeyVerifier.invalid("no open registration for "
                                        + "this challenge (expired, used or never issued): ask for new options"));
                            }
                            return verifier.verifyRegistration(r.clientDataJSON(), r.attestationObject(),
                                    r.transports(), Base64.getUrlDecoder().decode(challenge));
                        }))
                .chain(v -> {
            if (!Arrays.equals(v.credentialId(), r.id())) {
                return Uni.createFrom().failure(PasskeyVerifier.invalid("id is not the id of the attested credential"));
            }
            Passkey p = new Passkey();
            p.id = UUID.randomUUID();
            p.userId = userId;
            p.credentialId = v.credentialId();
            p.attestedCredentialData = v.attestedCredentialData();
            p.signCount = v.signCount();
            p.uvInitialized = v.userVerified();
            p.backupEligible = v.backupEligible();
            p.backupState = v.backupState();
            p.transports = r.transports() == null || r.transports().isEmpty() ? null
                    : String.join(",", r.transports());
            p.attestationFormat = v.format();
            p.name = r.name() == null || r.name().isBlank() ? DEFAULT_NAME : r.name().strip();
            p.createdAt = Instant.now();
            return db(store(p))
                    // the same authenticator registered twice (by anyone): the unique credential id decides
                    .onFailure(e -> StoreFailures.uniqueViolation(e, CREDENTIAL_KEY))
                    .transform(e -> new ProblemException(ProblemType.CONFLICT, PASSKEY_EXISTS,
                            "This passkey is registered already", null, null, null))
                    .invoke(events::poke);
        });
    }

    @WithTransaction
    Uni<Passkey> store(Passkey p) {
        return passkeys.persistAndFlush(p).chain(() -> events.passkeyAdded(p.userId, p.id, p.name)).replaceWith(p);
    }

    @WithSession
    Uni<List<Passkey>> listOf(UUID userId) {
        return passkeys.ofUser(userId);
    }

    public Uni<List<Passkey>> ofUser(UUID userId) {
        return db(listOf(userId));
    }

    /** Removes one of the user's passkeys; anybody else's or an unknown id is a 404. */
    public Uni<Void> delete(UUID userId, UUID id) {
        return db(remove(userId, id)).invoke(events::poke);
    }

    @WithTransaction
    Uni<Void> remove(UUID userId, UUID id) {
        return passkeys.findById(id).chain(p -> p == null || !p.userId.equals(userId)
                ? Uni.createFrom().failure(ProblemException.notFound("No such passkey"))
                : passkeys.delete(p).chain(() -> events.passkeyRemoved(userId, p.id, p.name)));
    }

    // --- sign-in --------------------------------------------------------------------------------------------

    /**
     * Request options. With an e-mail address, allowCredentials lists its passkeys; an address without any (or
     * with no account) gets made-up ones derived from it, the same every time, so the answer does not tell who
     * has an account or a passkey. Without one, the list is empty: the browser offers its discoverable passkeys.
     */
    public Uni<RequestOptions> signInOptions(String email) {
        Uni<List<Passkey>> found = email == null ? Uni.createFrom().item(List.of())
                : db(ofEmail(Credentials.normalizeEmail(email)));
        return found.chain(list -> {
            List<Descriptor> allow = email == null ? List.of()
                    : list.isEmpty() ? List.of(decoy(Credentials.normalizeEmail(email)))
                            : list.stream().map(PasskeyService::descriptor).toList();
            String challenge = randomBase64Url(32);
            String challengeId = SessionTokens.newToken();
            String pending;
            try {
                pending = json.writeValueAsString(
                        new PendingSignIn(challenge, allow.stream().map(Descriptor::id).toList()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return redis(values.set(SIGN_IN_PREFIX + SessionTokens.hash(challengeId), pending,
                    new SetArgs().px(config.challengeTtl())))
                    .replaceWith(new RequestOptions(challengeId, challenge, config.challengeTtl().toMillis(),
                            config.rpId(), allow));
        });
    }

    @WithSession
    Uni<List<Passkey>> ofEmail(String email) {
        return passkeys.ofEmail(email);
    }

    /**
     * Verifies an assertion and opens a session: the challenge must be open (spent by this attempt), the credential
     * allowed by the options and registered, the user handle (if sent) its owner's, the signature and counter good.
     * The counter is stored in the transaction that opens the session, and only if it still goes up; a banned
     * account is refused like at password sign-in.
     */
    public Uni<SignedIn> signIn(Assertion a, String ip, String userAgent) {
        return redis(values.getdel(SIGN_IN_PREFIX + SessionTokens.hash(a.challengeId()))).chain(raw -> {
            if (raw == null) {
                return Uni.createFrom().failure(PasskeyVerifier.invalid(
                        "no open sign-in for this challengeId (expired, used or never issued): ask for new options"));
            }
            PendingSignIn pending;
            try {
                pending = json.readValue(raw, PendingSignIn.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            String id = B64URL.encodeToString(a.id());
            if (!pending.allow().isEmpty() && !pending.allow().contains(id)) {
                return Uni.createFrom().failure(PasskeyVerifier.invalid("this passkey was not among those offered"));
            }
            return db(byCredentialId(a.id())).chain(p -> {
                if (p == null) {
                    return Uni.createFrom().failure(PasskeyVerifier.invalid("no such passkey"));
                }
                if (a.userHandle() != null && !Arrays.equals(a.userHandle(), userHandle(p.userId))) {
                    return Uni.createFrom().failure(PasskeyVerifier.invalid("userHandle is not the passkey's user"));
                }
                return verifier.verifyAssertion(p, a.userHandle(), a.authenticatorData(), a.clientDataJSON(),
                        a.signature(), Base64.getUrlDecoder().decode(pending.challenge()))
                        .chain(v -> db(open(p, v, ip, userAgent)));
            });
        }).onItemOrFailure().invoke((ok, failure) -> metrics.signIn(failure == null, "passkey"));
    }

    @WithSession
    Uni<Passkey> byCredentialId(byte[] id) {
        return passkeys.byCredentialId(id);
    }

    @WithTransaction
    Uni<SignedIn> open(Passkey p, PasskeyVerifier.Asserted v, String ip, String userAgent) {
        return passkeys.recordUse(p.id, v.signCount(), v.backupState(), Instant.now()).chain(n -> {
            if (n == 0) {
                // another sign-in stored a counter at least as high meanwhile (or the passkey was deleted)
                return Uni.createFrom().failure(PasskeyVerifier.invalid(
                        "the signature counter did not increase: the authenticator may have been cloned"));
            }
            // openIn joins this transaction: the same share lock and ban check as a password sign-in, and a refused
            // sign-in rolls the counter back with it
            return users.findById(p.userId).chain(u -> u == null
                    ? Uni.createFrom().failure(PasskeyVerifier.invalid("no such passkey"))
                    : sessions.openIn(u, null, ip, userAgent).map(c -> new SignedIn(c, u.email)));
        });
    }

    // --- helpers --------------------------------------------------------------------------------------------

    /** The WebAuthn user handle: the user id's 16 bytes (random, and no personal data). */
    static byte[] userHandle(UUID userId) {
        return ByteBuffer.allocate(16).putLong(userId.getMostSignificantBits())
                .putLong(userId.getLeastSignificantBits()).array();
    }

    static Descriptor descriptor(Passkey p) {
        return new Descriptor(B64URL.encodeToString(p.credentialId),
                p.transports == null ? List.of() : List.of(p.transports.split(",")));
    }

    private Descriptor decoy(String email) {
        byte[] mac = hmac(decoyKey, email.getBytes(StandardCharsets.UTF_8));
        byte[] more = hmac(decoyKey, mac);
        byte[] id = new byte[64];
        System.arraycopy(mac, 0, id, 0, 32);
        System.arraycopy(more, 0, id, 32, 32);
        int length = DECOY_LENGTHS[(mac[0] & 0xff) % DECOY_LENGTHS.length];
        return new Descriptor(B64URL.encodeToString(Arrays.copyOf(id, length)),
                DECOY_TRANSPORTS.get((mac[1] & 0xff) % DECOY_TRANSPORTS.size()));
    }

    private String randomBase64Url(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return B64URL.encodeToString(b);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> Uni<T> redis(Uni<T> call) {
        return StoreFailures.bounded(call, timeouts.redis(), "Redis");
    }

    private <T> Uni<T> db(Uni<T> call) {
        return StoreFailures.bounded(call, timeouts.database(), "PostgreSQL");
    }
}
