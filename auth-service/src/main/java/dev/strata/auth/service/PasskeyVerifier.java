package dev.strata.auth.service;

import java.net.URI;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.CollectedClientDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticationRequest;
import com.webauthn4j.data.AuthenticatorTransport;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.RegistrationRequest;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.ClientDataType;
import com.webauthn4j.data.client.CollectedClientData;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.attestation.statement.androidkey.AndroidKeyAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.androidsafetynet.AndroidSafetyNetAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.apple.AppleAnonymousAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.none.NoneAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.packed.PackedAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.tpm.TPMAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.u2f.FIDOU2FAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.certpath.NullCertPathTrustworthinessVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.self.NullSelfAttestationTrustworthinessVerifier;
import com.webauthn4j.verifier.exception.BadAlgorithmException;
import com.webauthn4j.verifier.exception.BadAttestationStatementException;
import com.webauthn4j.verifier.exception.BadBackupEligibleFlagException;
import com.webauthn4j.verifier.exception.BadChallengeException;
import com.webauthn4j.verifier.exception.BadOriginException;
import com.webauthn4j.verifier.exception.BadRpIdException;
import com.webauthn4j.verifier.exception.BadSignatureException;
import com.webauthn4j.verifier.exception.CrossOriginException;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.NotAllowedAlgorithmException;
import com.webauthn4j.verifier.exception.UserNotPresentException;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.WorkerExecutor;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.domain.Passkey;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;

/**
 * WebAuthn verification through webauthn4j: registration (attestation) and sign-in (assertion) responses, checked
 * against the challenge we issued, our RP id and the configured origins. An attestation statement is verified (its
 * signature and format), but not traced to a vendor root: a passkey proves control of a key, not a make or model.
 * Parsing CBOR and checking signatures and certificate chains runs on a small worker pool, never on the event loop.
 */
@ApplicationScoped
public class PasskeyVerifier {

    public static final String INVALID_PASSKEY = "https://strata.dev/problems/auth/invalid-passkey";

    /** What we accept, most preferred first: ES256 (every platform), EdDSA, RS256 (Windows Hello). */
    public static final List<COSEAlgorithmIdentifier> ALGORITHMS = List.of(COSEAlgorithmIdentifier.ES256,
            COSEAlgorithmIdentifier.EdDSA, COSEAlgorithmIdentifier.RS256);

    private static final Logger LOG = Logger.getLogger(PasskeyVerifier.class);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final List<PublicKeyCredentialParameters> PARAMETERS = ALGORITHMS.stream()
            .map(a -> new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, a)).toList();

    /** A verified registration: what to store. */
    public record Registered(byte[] credentialId, byte[] attestedCredentialData, long signCount,
            boolean userVerified, boolean backupEligible, boolean backupState, String format) {
    }

    /** A verified assertion: the authenticator's new counter and backup state. */
    public record Asserted(long signCount, boolean backupState) {
    }

    private final ObjectConverter converter = new ObjectConverter();
    // every attestation statement's signature and structure is verified (webauthn4j's non-strict manager would skip
    // them: its verifiers are no-ops), but no certificate chain must lead to a vendor root we would have to curate
    private final WebAuthnManager manager = new WebAuthnManager(List.of(new NoneAttestationStatementVerifier(),
            new PackedAttestationStatementVerifier(), new FIDOU2FAttestationStatementVerifier(),
            new AndroidKeyAttestationStatementVerifier(), new AndroidSafetyNetAttestationStatementVerifier(),
            new TPMAttestationStatementVerifier(), new AppleAnonymousAttestationStatementVerifier()),
            new NullCertPathTrustworthinessVerifier(), new NullSelfAttestationTrustworthinessVerifier(), converter);
    private final AttestedCredentialDataConverter credentials = new AttestedCredentialDataConverter(converter);
    private final CollectedClientDataConverter clientData = new CollectedClientDataConverter(converter);
    private final Set<Origin> origins;
    private final String rpId;
    private final WorkerExecutor workers;

    public PasskeyVerifier(AuthConfig config, Vertx vertx) {
        checkConfiguration(config.passkeys());
        this.rpId = config.passkeys().rpId();
        this.origins = config.passkeys().origins().stream().map(Origin::new)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        // a verification takes well under a millisecond once warm; two threads keep a burst from queueing long
        this.workers = vertx.createSharedWorkerExecutor("webauthn", 2);
    }

    /** Created at start-up, so a bad passkey configuration stops the service there rather than at first use. */
    void onStart(@Observes StartupEvent event) {
        LOG.debugf("passkeys: RP id %s, origins %s", rpId, origins);
    }

    /**
     * Refuses a configuration under which no browser could use the passkeys, or an attacker's page could: every
     * origin https (http only on localhost) and on the RP id's domain.
     */
    public static void checkConfiguration(AuthConfig.Passkeys config) {
        String rp = config.rpId();
        if (rp.isBlank() || rp.contains("/") || rp.contains(":")) {
            throw new IllegalStateException("strata.auth.passkeys.rp-id must be a domain name, not " + rp);
        }
        if (config.origins().isEmpty()) {
            throw new IllegalStateException("strata.auth.passkeys.origins must name at least one origin");
        }
        for (String o : config.origins()) {
            URI u;
            try {
                u = new URI(o);
            } catch (Exception e) {
                throw new IllegalStateException("strata.auth.passkeys.origins: not an origin: " + o);
            }
            String host = u.getHost();
            boolean local = "localhost".equals(host) || "127.0.0.1".equals(host);
            if (host == null || (u.getPath() != null && !u.getPath().isEmpty()) || u.getQuery() != null
                    || !("https".equals(u.getScheme()) || ("http".equals(u.getScheme()) && local))) {
                throw new IllegalStateException("strata.auth.passkeys.origins: " + o
                        + " must be https://host[:port] (http only on localhost)");
            }
            if (!host.equals(rp) && !host.endsWith("." + rp)) {
                throw new IllegalStateException("strata.auth.passkeys.origins: " + o + " is not on the RP id " + rp);
            }
        }
    }

    /** The challenge a client answered, as base64url, read from its {@code clientDataJSON}; 400 when unreadable. */
    public String challengeOf(byte[] clientDataJSON, ClientDataType expected) {
        CollectedClientData data;
        try {
            data = clientData.convert(clientDataJSON);
        } catch (RuntimeException e) {
            throw invalid("clientDataJSON is not client data");
        }
        if (data == null || data.getChallenge() == null || data.getType() == null
                || !expected.getValue().equals(data.getType().getValue())) {
            throw invalid("clientDataJSON is not the client data of a " + expected.getValue() + " ceremony");
        }
        return B64URL.encodeToString(data.getChallenge().getValue());
    }

    /** Verifies a registration response against the challenge we issued; fails with 400 invalid-passkey. */
    public Uni<Registered> verifyRegistration(byte[] clientDataJSON, byte[] attestationObject, Set<String> transports,
            byte[] challenge) {
        return blocking(() -> {
            RegistrationData data = check(() -> manager.verify(
                    new RegistrationRequest(attestationObject, clientDataJSON, transports),
                    new RegistrationParameters(server(challenge), PARAMETERS, false, true)));
            var auth = data.getAttestationObject().getAuthenticatorData();
            AttestedCredentialData attested = auth.getAttestedCredentialData();
            return new Registered(attested.getCredentialId(), credentials.convert(attested), auth.getSignCount(),
                    auth.isFlagUV(), auth.isFlagBE(), auth.isFlagBS(), data.getAttestationObject().getFormat());
        });
    }

    /**
     * Verifies a sign-in assertion with the stored passkey: signature over our challenge, origin, RP id, user
     * presence, and a counter above the stored one (unless the authenticator keeps none); 400 invalid-passkey.
     */
    public Uni<Asserted> verifyAssertion(Passkey stored, byte[] userHandle, byte[] authenticatorData,
            byte[] clientDataJSON, byte[] signature, byte[] challenge) {
        return blocking(() -> {
            AttestedCredentialData attested = credentials.convert(stored.attestedCredentialData);
            Set<AuthenticatorTransport> transports = stored.transports == null ? null
                    : Arrays.stream(stored.transports.split(",")).map(AuthenticatorTransport::create)
                            .collect(Collectors.toSet());
            var record = new CredentialRecordImpl(null, stored.uvInitialized, stored.backupEligible,
                    stored.backupState, stored.signCount, attested, null, null, null, transports);
            AuthenticationData data = check(() -> manager.verify(
                    new AuthenticationRequest(stored.credentialId, userHandle, authenticatorData, clientDataJSON,
                            null, signature),
                    new AuthenticationParameters(server(challenge), record, List.of(stored.credentialId), false,
                            true)));
            return new Asserted(data.getAuthenticatorData().getSignCount(), data.getAuthenticatorData().isFlagBS());
        });
    }

    private ServerProperty server(byte[] challenge) {
        return new ServerProperty(origins, rpId, new DefaultChallenge(challenge), null);
    }

    /** Every failure of untrusted input becomes a 400 that says which check failed, never a 500. */
    private static <T> T check(Supplier<T> verification) {
        try {
            return verification.get();
        } catch (MaliciousCounterValueException e) {
            throw invalid("the signature counter did not increase: the authenticator may have been cloned");
        } catch (BadChallengeException e) {
            throw invalid("the response does not answer the challenge issued");
        } catch (BadOriginException | CrossOriginException e) {
            throw invalid("the response comes from an origin that may not use these passkeys");
        } catch (BadRpIdException e) {
            throw invalid("the passkey belongs to another relying party");
        } catch (BadSignatureException e) {
            throw invalid("the signature does not verify");
        } catch (BadAttestationStatementException e) {
            throw invalid("the attestation statement does not verify");
        } catch (NotAllowedAlgorithmException | BadAlgorithmException e) {
            throw invalid("the key algorithm is not accepted (ES256, EdDSA or RS256)");
        } catch (UserNotPresentException e) {
            throw invalid("the authenticator did not confirm the user's presence");
        } catch (BadBackupEligibleFlagException e) {
            throw invalid("the authenticator's backup eligibility changed");
        } catch (RuntimeException e) {
            // malformed CBOR, a truncated structure, an unsupported attestation format...: all the client's doing
            LOG.debugf("passkey response refused: %s", e.toString());
            throw invalid("the passkey response could not be verified");
        }
    }

    static ProblemException invalid(String detail) {
        return new ProblemException(ProblemType.BAD_REQUEST, INVALID_PASSKEY, "Passkey refused: " + detail, null,
                null, null);
    }

    private <T> Uni<T> blocking(Supplier<T> work) {
        // unordered: independent ceremonies verify in parallel; the result comes back on the caller's context
        return workers.executeBlocking(Uni.createFrom().item(work), false);
    }
}
