package dev.strata.rates.domain;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A rate for a requested pair, derived from stored rows (directly, inverted, or crossed through a pivot).
 * Cached in Redis as JSON and in the L1 as is; staleness and age are computed when it is served.
 *
 * @param via the pivot currency of a cross rate, else null
 */
public record ResolvedRate(String base, String quote, BigDecimal rate, Kind kind, String via, String provider,
        Instant effectiveAt, Instant fetchedAt, Instant expiresAt) {

    public enum Kind {
        IDENTITY, DIRECT, INVERSE, CROSS
    }
}
