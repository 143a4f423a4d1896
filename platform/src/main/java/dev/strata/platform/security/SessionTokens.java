package dev.strata.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Session tokens: 256 bits from a CSPRNG, base64url; only their SHA-256 is ever stored. */
public final class SessionTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int LENGTH = 43;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    // MessageDigest.getInstance walks the security providers on every call: one digest per thread instead
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JVM", e);
        }
    });

    private SessionTokens() {
    }

    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** 43 base64url characters (what {@link #newToken} makes); checked without a regex on every request. */
    public static boolean wellFormed(String token) {
        if (token == null || token.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = token.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    public static String hash(String token) {
        return sha256Hex(token);
    }

    public static String sha256Hex(String value) {
        byte[] d = sha256(value);
        char[] out = new char[d.length * 2];
        for (int i = 0; i < d.length; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }

    /** SHA-256 of the UTF-8 bytes of {@code value}. */
    public static byte[] sha256(String value) {
        MessageDigest md = SHA256.get();
        md.reset();
        return md.digest(value.getBytes(StandardCharsets.UTF_8));
    }
}
