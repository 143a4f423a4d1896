package dev.strata.rates.domain;

import java.math.BigDecimal;
import java.time.Instant;

/** A row of {@code rates.exchange_rates}: 1 base = rate quote. */
public record StoredRate(String base, String quote, BigDecimal rate, String provider, Instant effectiveAt,
        Instant fetchedAt, Instant expiresAt) {
}
