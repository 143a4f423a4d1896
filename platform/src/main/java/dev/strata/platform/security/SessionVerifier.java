package dev.strata.platform.security;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Checks that a session record was signed by auth-service ({@code strata.sessions.verify-keys}: one or more
 * {@code <keyId>:<base64 X.509 Ed25519 public key>}, so keys rotate by adding the new one everywhere first). With no
 * key configured every session is refused: fail closed.
 */
@ApplicationScoped
public class SessionVerifier {

    private static final Logger LOG = Logger.getLogger(SessionVerifier.class);

    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();

    public SessionVerifier(@ConfigProperty(name = "strata.sessions.verify-keys") Optional<List<String>> specs) {
        specs.orElse(List.of()).stream().filter(s -> !s.isBlank()).forEach(spec -> {
            String[] parts = SessionSignatures.split(spec, "verify key");
            keys.put(parts[0], SessionSignatures.publicKey(parts[0], parts[1]));
        });
        if (keys.isEmpty()) {
            LOG.warn("strata.sessions.verify-keys is not set: every session will be refused");
        }
    }

    public boolean verify(String tokenHash, SessionRecord r) {
        if (r.keyId() == null || r.signature() == null) {
            return false;
        }
        PublicKey key = keys.get(r.keyId());
        if (key == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(SessionSignatures.ALGORITHM);
            s.initVerify(key);
            s.update(SessionSignatures.payload(tokenHash, r));
            return s.verify(Base64.getUrlDecoder().decode(r.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
