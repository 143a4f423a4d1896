package dev.strata.platform.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import dev.strata.platform.security.SessionRecord;
import dev.strata.platform.security.SessionSignatures;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;

/**
 * Mints real sessions in Redis, as auth-service would, for any service's tests. Shipped in the platform's
 * test-jar ({@code <classifier>tests</classifier>}), which holds only this package.
 */
public final class TestSessions {

    /**
     * The test key pair's private half (test-only, never configured outside the {@code test} profile); its public
     * half is {@code %test.strata.sessions.verify-keys} in the platform's shipped defaults.
     */
    public static final String TEST_SIGNING_KEY = "test-1:MC4CAQAwBQYDK2VwBCIEIOWqwmXfKI+tGMQ9xnRXHaruBQuxhmrpfbpf9Ve5TMiD";
    public static final SessionSignatures.Signer SIGNER = SessionSignatures.signer(TEST_SIGNING_KEY);

    private TestSessions() {
    }

    public record Minted(String token, SessionRecord record) {
        public String userId() {
            return record.userId();
        }
    }

    /** A one-hour session with a ten-minute idle timeout for a new random user with these roles. */
    public static Minted mint(SessionStore store, String... roles) {
        String token = SessionTokens.newToken();
        Instant now = Instant.now();
        SessionRecord r = new SessionRecord(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "user@example.com", Set.of(roles), now, now.plus(Duration.ofHours(1)), now, 600);
        String hash = SessionTokens.hash(token);
        SessionRecord signed = SIGNER.sign(hash, r);
        store.save(hash, signed).await().atMost(Duration.ofSeconds(5));
        return new Minted(token, signed);
    }
}
