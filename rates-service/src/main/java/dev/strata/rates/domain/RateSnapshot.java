package dev.strata.rates.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One validated publication of a provider: every rate is "1 base = rate quote".
 *
 * @param nextUpdate when the provider says it publishes next, or null when it does not say
 */
public record RateSnapshot(String provider, String base, Instant effectiveAt, Instant nextUpdate,
        Map<String, BigDecimal> rates) {
}
