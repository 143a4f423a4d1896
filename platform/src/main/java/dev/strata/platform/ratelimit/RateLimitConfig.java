package dev.strata.platform.ratelimit;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "strata.rate-limit")
public interface RateLimitConfig {

    /** Off only for a local experiment; never in production. */
    @WithDefault("true")
    boolean enabled();

    Map<String, Policy> policies();

    interface Policy {
        /** Requests admitted per window (also the largest burst). */
        int limit();

        Duration window();

        /** Whom the limit counts: {@code ip}, {@code account}, or {@code ip-and-account} (one bucket per pair). */
        @WithDefault("ip")
        Subject subject();
    }

    enum Subject {
        IP, ACCOUNT, IP_AND_ACCOUNT
    }
}
