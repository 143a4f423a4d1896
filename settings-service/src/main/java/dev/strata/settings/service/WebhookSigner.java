package dev.strata.settings.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks (https://www.standardwebhooks.com) secrets and signatures: {@code whsec_<base64 key>}, and
 * {@code v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}, one per secret, space-separated.
 */
public final class WebhookSigner {

    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSigner() {
    }

    /** A new secret: 32 random bytes (the standard asks for 24 to 64). */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** One {@code v1,<sig>} entry. */
    public static String sign(String secret, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The {@code webhook-signature} header: the current secret's signature, then the previous one's if given. */
    public static String header(String secret, String previousOrNull, String id, long timestamp, byte[] body) {
        List<String> sigs = new ArrayList<>();
        sigs.add(sign(secret, id, timestamp, body));
        if (previousOrNull != null) {
            sigs.add(sign(previousOrNull, id, timestamp, body));
        }
        return String.join(" ", sigs);
    }

    static byte[] key(String secret) {
        String b64 = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        return Base64.getDecoder().decode(b64);
    }
}
