package dev.strata.rates.provider;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/** Plausibility checks shared by the feed parsers. */
final class Feeds {

    static final Pattern CODE = Pattern.compile("^[A-Z]{3}$");
    /** numeric(38,18) holds 20 integer digits. */
    private static final BigDecimal MAX = BigDecimal.TEN.pow(20);

    private Feeds() {
    }

    static FeedException garbage(String message) {
        return new FeedException("garbage", message);
    }

    static BigDecimal rate(String currency, BigDecimal value) {
        if (value == null || value.signum() <= 0 || value.compareTo(MAX) >= 0) {
            throw garbage("implausible rate for " + currency + ": " + value);
        }
        BigDecimal r = value.setScale(Math.min(Math.max(value.scale(), 0), 18), RoundingMode.HALF_EVEN);
        if (r.signum() <= 0) {
            throw garbage("rate for " + currency + " rounds to zero");
        }
        return r;
    }

    static void put(Map<String, BigDecimal> rates, String base, String currency, BigDecimal value) {
        if (currency == null || !CODE.matcher(currency).matches()) {
            throw garbage("not a currency code: " + currency);
        }
        if (currency.equals(base)) {
            return; // some feeds list the base at 1
        }
        if (rates.put(currency, rate(currency, value)) != null) {
            throw garbage("currency listed twice: " + currency);
        }
    }

    static void checkTime(Instant effective) {
        if (effective.isAfter(Instant.now().plus(Duration.ofDays(2)))) {
            throw garbage("publication dated in the future: " + effective);
        }
    }
}
