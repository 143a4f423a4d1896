package dev.strata.settings.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "strata.settings")
public interface SettingsConfig {

    /** Deadline of every database call: a stalled PostgreSQL is a 503, never a hung request. */
    @WithDefault("PT5S")
    Duration dbTimeout();

    /** Deadline of every Redis call. */
    @WithDefault("PT2S")
    Duration redisTimeout();

    Defaults defaults();

    Cache cache();

    Currencies currencies();

    Events events();

    Auth auth();

    Push push();

    /** The live side of push: {@code /api/notifications/stream}. */
    interface Push {
        /** A socket opened without a credential must send {@code {"type":"auth","token":…}} within this. */
        @WithDefault("PT5S")
        Duration authTimeout();

        /** Sockets per user and replica; a new one closes the oldest (the newest tab wins). */
        @WithDefault("5")
        int maxConnectionsPerUser();

        /**
         * How often every open socket's session is re-checked in Redis: the backstop for a missed revocation
         * message and for sessions that simply expire (revocations themselves close sockets at once).
         */
        @WithDefault("PT5S")
        Duration sweepInterval();

        /** Server pings keep proxies (and the gateway) from closing an idle socket. */
        @WithDefault("PT25S")
        Duration pingInterval();

        /**
         * Origins (e.g. {@code https://app.example}) whose pages may open a socket authenticated by the session
         * cookie, besides the service's own origin: stops cross-site WebSocket hijacking with a victim's cookie.
         */
        Optional<List<String>> allowedOrigins();
    }

    /** auth-service's {@code /internal/users} (who a user is: e-mail address, wallet owner). */
    interface Auth {
        /** auth-service base URL; without it nobody can be looked up (no e-mail, no transfer notices). */
        Optional<String> url();

        /** This service's credential at auth-service ({@code strata.internal.callers.settings} there). */
        Optional<String> token();

        @WithDefault("PT3S")
        Duration timeout();

        /** How long an answer (also "no such wallet") is reused. */
        @WithDefault("PT1M")
        Duration cacheTtl();

        @WithDefault("10000")
        int cacheMaxEntries();
    }

    interface Events {
        /** Reads the durable event streams; off only in tests that drive the consumers by hand. */
        @WithDefault("true")
        boolean consumersEnabled();
    }

    interface Defaults {
        @WithDefault("en")
        String locale();

        @WithDefault("UTC")
        String timezone();

        @WithDefault("EUR")
        String currency();

        @WithDefault("system")
        String theme();
    }

    interface Cache {
        /** Lifetime of {@code settings:user:<id>} in Redis (re-read from Postgres after it). */
        @WithDefault("PT30M")
        Duration redisTtl();

        /**
         * Lifetime of an entry in a replica's own cache: the bound on staleness even if an invalidation message
         * is lost (the "never older than the last committed write by more than 1 s").
         */
        @WithDefault("PT0.9S")
        Duration localTtl();

        @WithDefault("10000")
        int localMaxEntries();
    }

    interface Currencies {
        /** rates-service base URL: the display currencies are the ones it has rates for. */
        Optional<String> ratesUrl();

        /** Used while rates-service has not answered yet (and when no URL is configured). */
        @WithDefault("EUR,USD,JPY,BGN,CZK,DKK,GBP,HUF,PLN,RON,SEK,CHF,ISK,NOK,TRY,AUD,BRL,CAD,CNY,HKD,IDR,ILS,INR,KRW,MXN,MYR,NZD,PHP,SGD,THB,ZAR")
        List<String> fallback();

        @WithDefault("PT10M")
        Duration refresh();
    }
}
