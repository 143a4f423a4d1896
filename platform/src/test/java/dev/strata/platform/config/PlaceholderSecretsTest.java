package dev.strata.platform.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlaceholderSecretsTest {

    @Test
    void theExampleValuesAreRefused() {
        assertTrue(PlaceholderSecrets.isPlaceholder("change-me-internal-token"));
        assertTrue(PlaceholderSecrets.isPlaceholder("k1:change-me-kyc-encryption-keys"));
        assertTrue(PlaceholderSecrets.isPlaceholder(" CHANGE-ME "));
        assertFalse(PlaceholderSecrets.isPlaceholder("3f9a1c0d5e7b2a4c6e8f0a1b3c5d7e9f"));
        assertFalse(PlaceholderSecrets.isPlaceholder("k1:q83vEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0Vng="));
    }

    @Test
    void secretPropertiesAreRecognisedByName() {
        for (String name : new String[] {"strata.internal.token", "strata.internal.callers.kyc",
                "quarkus.datasource.password", "quarkus.redis.password", "quarkus.minio.secret-key",
                "strata.auth.sessions.signing-key", "strata.sessions.verify-keys", "strata.auth.codes.pepper",
                "strata.kyc.encryption.keys", "strata.kyc.gateway.token"}) {
            assertTrue(PlaceholderSecrets.SECRET_NAME.matcher(name).matches(), name);
        }
        assertFalse(PlaceholderSecrets.SECRET_NAME.matcher("quarkus.http.port").matches());
    }
}
