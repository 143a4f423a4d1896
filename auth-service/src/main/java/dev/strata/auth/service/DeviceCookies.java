package dev.strata.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import dev.strata.auth.config.AuthConfig;

/**
 * "This browser has signed in to this account before" (OWASP device cookies): a random nonce and its HMAC with the
 * account's e-mail. When strangers have spent an account's failure budget, a browser holding such a cookie still
 * gets its own attempts, so nobody can lock the real user out by guessing wrong on purpose.
 */
@ApplicationScoped
public class DeviceCookies {

    private final byte[] key;
    private final SecureRandom random = new SecureRandom();

    public DeviceCookies(AuthConfig config) {
        // derived from the code pepper (a Secret shared by replicas); dev/test without one: per process
        byte[] base = config.codes().pepper().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            return b;
        });
        this.key = hmac(base, "strata-device-cookie-v1".getBytes(StandardCharsets.UTF_8));
    }

    public String issue(String normalizedEmail) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String n = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        return n + "." + mac(n, normalizedEmail);
    }

    public boolean valid(String cookie, String normalizedEmail) {
        if (cookie == null) {
            return false;
        }
        int dot = cookie.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        String expected = mac(cookie.substring(0, dot), normalizedEmail);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                cookie.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String nonce, String email) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(hmac(key, (nonce + "|" + email).getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
        }
    }
}
