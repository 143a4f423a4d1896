package dev.strata.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.TotpCodes;
import dev.strata.auth.service.TotpSecrets;

/** The at-rest encryption of TOTP secrets, without a server: key choice, binding to the user, key changes. */
class TotpSecretsTest {

    static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);
    static final String KEY_B = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    /** An AuthConfig with just the two settings TotpSecrets reads. */
    static AuthConfig config(String pepper, String encryptionKey) {
        Object codes = Proxy.newProxyInstance(AuthConfig.class.getClassLoader(),
                new Class<?>[] {AuthConfig.Codes.class},
                (p, m, a) -> m.getName().equals("pepper") ? Optional.ofNullable(pepper) : null);
        Object totp = Proxy.newProxyInstance(AuthConfig.class.getClassLoader(),
                new Class<?>[] {AuthConfig.Totp.class},
                (p, m, a) -> m.getName().equals("encryptionKey") ? Optional.ofNullable(encryptionKey) : null);
        return (AuthConfig) Proxy.newProxyInstance(AuthConfig.class.getClassLoader(),
                new Class<?>[] {AuthConfig.class},
                (p, m, a) -> m.getName().equals("codes") ? codes : m.getName().equals("totp") ? totp : null);
    }

    @Test
    void aSecretDecryptsOnlyForItsUserAndUnderItsKey() {
        TotpSecrets s = new TotpSecrets(config("pepper", KEY_A));
        UUID user = UUID.randomUUID();
        byte[] secret = TotpCodes.newSecret();
        String stored = s.encrypt(user, secret);
        assertTrue(stored.startsWith("v1:"), stored);
        assertArrayEquals(secret, s.decrypt(user, stored));
        // a fresh nonce each time
        assertTrue(!stored.equals(s.encrypt(user, secret)));
        // copied to another user's row, or read with another key: refused, not garbage
        assertThrows(IllegalStateException.class, () -> s.decrypt(UUID.randomUUID(), stored));
        assertThrows(IllegalStateException.class, () -> new TotpSecrets(config("pepper", KEY_B)).decrypt(user, stored));
        // tampering is detected
        char last = stored.charAt(10);
        String tampered = stored.substring(0, 10) + (last == 'A' ? 'B' : 'A') + stored.substring(11);
        assertThrows(IllegalStateException.class, () -> s.decrypt(user, tampered));
    }

    @Test
    void withoutADedicatedKeyThePepperDerivesOneAndSettingAKeyLaterKeepsOldSecretsReadable() {
        UUID user = UUID.randomUUID();
        byte[] secret = TotpCodes.newSecret();
        String old = new TotpSecrets(config("shared-pepper", null)).encrypt(user, secret);
        assertTrue(old.startsWith("p1:"), old);
        TotpSecrets later = new TotpSecrets(config("shared-pepper", KEY_A));
        assertArrayEquals(secret, later.decrypt(user, old));
        assertTrue(later.encrypt(user, secret).startsWith("v1:"));
        // another deployment's pepper does not read it
        assertThrows(IllegalStateException.class,
                () -> new TotpSecrets(config("other-pepper", null)).decrypt(user, old));
        // recovery-code hashes depend on the pepper only
        assertEquals(new TotpSecrets(config("shared-pepper", null)).hashRecoveryCode("abcdefghjk"),
                later.hashRecoveryCode("abcdefghjk"));
    }

    @Test
    void malformedOrPlaceholderKeysAreRefused() {
        for (String bad : new String[] {"change-me", "not base64!", Base64.getEncoder().encodeToString(new byte[16])}) {
            assertThrows(IllegalStateException.class, () -> new TotpSecrets(config("pepper", bad)), bad);
        }
    }
}
