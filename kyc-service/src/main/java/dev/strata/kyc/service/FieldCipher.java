package dev.strata.kyc.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import dev.strata.kyc.config.KycConfig;

/**
 * AES-256-GCM for identity numbers at rest. The first configured key encrypts; every configured key decrypts, found
 * by the key id stored beside the ciphertext, so keys rotate without a migration. The associated data binds a
 * ciphertext to its row and column: copying it into another application's row makes decryption fail.
 */
@ApplicationScoped
public class FieldCipher {

    public record Sealed(String keyId, byte[] data) {
    }

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKey> keys = new LinkedHashMap<>();
    private final String currentKeyId;
    private final SecureRandom random = new SecureRandom();

    public FieldCipher(KycConfig config) {
        for (String entry : config.encryption().keys()) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("strata.kyc.encryption.keys: each key is <keyId>:<base64 of 32 bytes>");
            }
            String id = entry.substring(0, colon).trim();
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("strata.kyc.encryption.keys: key " + id + " is not base64");
            }
            if (raw.length != 32) {
                throw new IllegalArgumentException("strata.kyc.encryption.keys: key " + id + " must be 32 bytes (AES-256)");
            }
            if (keys.putIfAbsent(id, new SecretKeySpec(raw, "AES")) != null) {
                throw new IllegalArgumentException("strata.kyc.encryption.keys: duplicate key id " + id);
            }
            Arrays.fill(raw, (byte) 0);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("strata.kyc.encryption.keys is empty");
        }
        currentKeyId = keys.keySet().iterator().next();
    }

    public Sealed seal(String plaintext, String context) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + ct.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
            return new Sealed(currentKeyId, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    public String open(String keyId, byte[] data, String context) {
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new IllegalStateException("no decryption key with id " + keyId + " is configured");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, IV_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(data, IV_BYTES, data.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored identity number does not decrypt (key " + keyId + ")", e);
        }
    }

    public String currentKeyId() {
        return currentKeyId;
    }
}
