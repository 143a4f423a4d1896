package dev.strata.rates.config;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Typed settings of rates-service ({@code strata.rates.*}). */
@ConfigMapping(prefix = "strata.rates")
public interface RatesConfig {

    /** Currencies tried, in order, as the middle leg of a cross rate. */
    @WithDefault("EUR,USD")
    List<String> pivots();

    /** A rate not refreshed within this time after it was fetched is served with {@code stale: true}. */
    @WithDefault("PT1H")
    Duration staleAfter();

    /** How long a manual override wins over provider data when the request does not say. */
    @WithDefault("PT24H")
    Duration overrideValidity();

    /** Months of history partitions kept created ahead of the current one. */
    @WithDefault("3")
    int partitionsAhead();

    Refresh refresh();

    Cache cache();

    Providers providers();

    History history();

    /** Bounds of {@code GET /api/rates/{base}/{quote}/history}: one request never scans more than this. */
    interface History {
        /** The widest {@code from}..{@code to} window one request may ask for. */
        @WithDefault("P366D")
        Duration maxSpan();

        /** Window when the request names no {@code from}. */
        @WithDefault("P30D")
        Duration defaultSpan();

        /** Nothing is older: the ECB's first euro reference rates (1999-01-04). */
        @WithDefault("1999-01-04T00:00:00Z")
        Instant earliest();

        /** Tolerated client clock lead for {@code to} (a {@code to} of "now" from a slightly fast clock). */
        @WithDefault("PT5M")
        Duration clockSkew();

        @WithDefault("200")
        int maxPageSize();

        /** Largest page × size (rows skipped): deep offsets cost a scan each, and page × size must never overflow. */
        @WithDefault("100000")
        int maxOffset();
    }

    interface Refresh {
        /** Off in tests, which drive refreshes explicitly. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("PT5M")
        Duration interval();

        /** Random extra delay (0..jitter) added to every wait so replicas do not tick in lockstep. */
        @WithDefault("PT20S")
        Duration jitter();

        @WithDefault("PT1S")
        Duration initialDelay();

        /** Lifetime of the refresh lock: longer than a refresh can take (provider timeouts included). */
        @WithDefault("PT60S")
        Duration lockTtl();
    }

    interface Cache {
        @WithDefault("PT300S")
        Duration redisTtl();

        @WithDefault("PT30S")
        Duration redisJitter();

        /** Safety net only: the L1 is cleared on every strata.rates.updated event. */
        @WithDefault("PT60S")
        Duration l1Ttl();

        @WithDefault("10000")
        long l1MaxSize();
    }

    interface Providers {
        @WithDefault("PT3S")
        Duration connectTimeout();

        /** Upper bound for a whole fetch: connect, headers and body. */
        @WithDefault("PT10S")
        Duration requestTimeout();

        /**
         * Cap on a feed body, counted while it streams in, both as received and after gzip/deflate decoding: the
         * download is cut off (and the fetch fails as {@code too_large}) as soon as either passes it.
         */
        @WithDefault("2097152")
        int maxBodyBytes();

        Ecb ecb();

        @WithName("er-api")
        ErApi erApi();
    }

    interface Ecb {
        @WithDefault("true")
        boolean enabled();

        /** http(s) URL, or {@code classpath:...} / {@code file:...} for an offline snapshot in the same format. */
        @WithDefault("https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml")
        String url();
    }

    interface ErApi {
        @WithDefault("true")
        boolean enabled();

        /** Base URL; the service appends {@code /<BASE>}. */
        @WithDefault("https://open.er-api.com/v6/latest")
        String url();

        @WithDefault("USD")
        String base();
    }
}
