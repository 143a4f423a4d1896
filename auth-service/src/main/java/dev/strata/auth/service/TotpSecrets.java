package dev.strata.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

import dev.strata.auth.config.AuthConfig;

/**
 * Keeps TOTP secrets encrypted at rest (AES-256-GCM, the user id as associated data) and hashes recovery codes
 * (HMAC-SHA256 under a key derived from the code pepper). The key is {@code strata.auth.totp.encryption-key}; while
 * a deployment has none, one derived from the code pepper (a Secret every replica already shares). Each ciphertext
 * names its key ({@code v1:} configured, {@code p1:} pepper-derived), so setting a dedicated key later keeps the
 * enrolments made before readable.
 */
@ApplicationScoped
public class TotpSecrets {

    private static final Logger LOG = Logger.getLogger(TotpSecrets.class);
    private static final String VERSION = "v1:";
    private static final String DERIVED = "p1:";
    private static final int NONCE_BYTES = 12;

    /** The key new secrets are encrypted with, and its prefix. */
    private final SecretKeySpec key;
    private final String prefix;
    /** Only to read ciphertexts made before a dedicated key was configured (null without a pepper). */
    private final SecretKeySpec derivedKey;
    private final byte[] recoveryKey;
    private final SecureRandom random = new SecureRandom();

    public TotpSecrets(AuthConfig config) {
        byte[] pepper = config.codes().pepper().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.derivedKey = pepper == null ? null
                : new SecretKeySpec(hmac(pepper, "strata-totp-secret-encryption-v1".getBytes(StandardCharsets.UTF_8)),
                        "AES");
        var configured = config.totp().encryptionKey().map(TotpSecrets::decodeKey);
        if (configured.isPresent()) {
            this.key = new SecretKeySpec(configured.get(), "AES");
            this.prefix = VERSION;
        } else if (derivedKey != null) {
            LOG.info("strata.auth.totp.encryption-key is not set: TOTP secrets are encrypted with a key derived from"
                    + " the code pepper (set a dedicated key from a Secret to separate them)");
            this.key = derivedKey;
            this.prefix = DERIVED;
        } else {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                // replicas must share it, and enrolments must survive a restart
                throw new IllegalStateException(
                        "strata.auth.totp.encryption-key (STRATA_AUTH_TOTP_ENCRYPTION_KEY) must be set");
            }
            LOG.warn("strata.auth.totp.encryption-key is not set: using a random one for this dev/test process only"
                    + " (TOTP enrolments will not survive a restart)");
            byte[] b = new byte[32];
            random.nextBytes(b);
            this.key = new SecretKeySpec(b, "AES");
            this.prefix = VERSION;
        }
        if (pepper == null) {
            pepper = new byte[32];
            random.nextBytes(pepper);
        }
        this.recoveryKey = hmac(pepper, "strata-totp-recovery-codes-v1".getBytes(StandardCharsets.UTF_8));
    }

    /** Created at start-up so that a missing or malformed key stops the service before anyone enrols. */
    void onStart(@Observes StartupEvent event) {
        LOG.debug("TOTP secret encryption ready");
    }

    static byte[] decodeKey(String configured) {
        String v = configured.trim();
        if (v.startsWith("change-me")) {
            throw new IllegalStateException("strata.auth.totp.encryption-key is a placeholder");
        }
        byte[] b;
        try {
            b = Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("strata.auth.totp.encryption-key must be base64");
        }
        if (b.length != 32) {
            throw new IllegalStateException("strata.auth.totp.encryption-key must be 32 bytes (AES-256), base64");
        }
        return b;
    }

    public String encrypt(UUID userId, byte[] secret) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(aad(userId));
            byte[] ct = c.doFinal(secret);
            byte[] out = new byte[nonce.length + ct.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(ct, 0, out, nonce.length, ct.length);
            return prefix + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] decrypt(UUID userId, String stored) {
        SecretKeySpec k = stored.startsWith(prefix) ? key : stored.startsWith(DERIVED) ? derivedKey : null;
        if (k == null) {
            throw new IllegalStateException("TOTP secret made with a key this process does not have");
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(3));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, in, 0, NONCE_BYTES));
            c.updateAAD(aad(userId));
            return c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            // wrong key (rotated without re-encryption) or a row tampered with / moved to another user
            throw new IllegalStateException("TOTP secret does not decrypt", e);
        }
    }

    public String hashRecoveryCode(String normalized) {
        return HexFormat.of().formatHex(hmac(recoveryKey, normalized.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] aad(UUID userId) {
        return ("strata-totp:" + userId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
