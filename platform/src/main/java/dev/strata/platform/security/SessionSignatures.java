package dev.strata.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.TreeSet;

/**
 * Ed25519 signatures over session records. Only auth-service holds a private key; every service verifies with the
 * public keys it is configured with, so write access to Redis alone can neither mint a session nor raise a role. The
 * signed payload binds the record to its token hash: a genuine record copied under another token's key is refused.
 */
public final class SessionSignatures {

    public static final String ALGORITHM = "Ed25519";

    private SessionSignatures() {
    }

    /** What is signed: every field a service trusts, in a fixed order, plus the token hash (the Redis key). */
    public static byte[] payload(String tokenHash, SessionRecord r) {
        StringBuilder b = new StringBuilder("strata-session-v1\n");
        b.append(tokenHash).append('\n')
                .append(r.sessionId()).append('\n')
                .append(r.userId()).append('\n')
                .append(r.email() == null ? "" : r.email()).append('\n')
                .append(String.join(",", r.roles() == null ? new TreeSet<String>() : new TreeSet<>(r.roles())))
                .append('\n')
                .append(r.createdAt() == null ? "" : r.createdAt().toEpochMilli()).append('\n')
                .append(r.expiresAt() == null ? "" : r.expiresAt().toEpochMilli()).append('\n')
                .append(r.idleSeconds()).append('\n')
                .append(r.keyId() == null ? "" : r.keyId());
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code <keyId>:<base64 PKCS#8>} → a signing function for that key. */
    public static Signer signer(String spec) {
        String[] parts = split(spec, "signing key");
        try {
            PrivateKey key = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[1])));
            return new Signer(parts[0], key);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("session signing key " + parts[0] + " is not an Ed25519 PKCS#8 key", e);
        }
    }

    static PublicKey publicKey(String kid, String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder()
                    .decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("session verify key " + kid + " is not an Ed25519 X.509 public key", e);
        }
    }

    static String[] split(String spec, String what) {
        int colon = spec == null ? -1 : spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("a session " + what + " is <keyId>:<base64 key>");
        }
        return new String[] {spec.substring(0, colon).trim(), spec.substring(colon + 1).trim()};
    }

    /** Signs records with one private key. */
    public static final class Signer {
        private final String keyId;
        private final PrivateKey key;

        Signer(String keyId, PrivateKey key) {
            this.keyId = keyId;
            this.key = key;
        }

        public String keyId() {
            return keyId;
        }

        public SessionRecord sign(String tokenHash, SessionRecord r) {
            SessionRecord keyed = r.withSignature(keyId, null);
            try {
                Signature s = Signature.getInstance(ALGORITHM);
                s.initSign(key);
                s.update(payload(tokenHash, keyed));
                return keyed.withSignature(keyId, Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 is part of every Java 15+ runtime", e);
            }
        }
    }
}
