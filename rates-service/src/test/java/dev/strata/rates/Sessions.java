package dev.strata.rates;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import dev.strata.platform.security.SessionRecord;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;

/** Mints real sessions in Redis the way auth-service does. */
final class Sessions {

    private Sessions() {
    }

    record Minted(String token, SessionRecord record) {
    }

    static Minted mint(SessionStore store, String... roles) {
        String token = SessionTokens.newToken();
        Instant now = Instant.now();
        SessionRecord r = new SessionRecord(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "user@example.com", Set.of(roles), now, now.plus(Duration.ofHours(1)), now, 600);
        store.save(SessionTokens.hash(token), r).await().atMost(Duration.ofSeconds(5));
        return new Minted(token, r);
    }
}
