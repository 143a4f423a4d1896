package dev.strata.rates.rest;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.strata.rates.domain.ExchangeRateHistory;
import dev.strata.rates.domain.ResolvedRate;
import dev.strata.rates.service.RatesService;

/** Response documents. Rates and amounts are decimal strings so no client parses them into a double by accident. */
public final class Views {

    private Views() {
    }

    /**
     * @param kind direct, inverse, cross (through {@code via}) or identity
     * @param ageSeconds seconds since the provider's effective time
     * @param stale true once the rate is past its expiry (the providers could not refresh it in time)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RateView(String base, String quote, String rate, String kind, String via, String provider,
            Instant effectiveAt, Instant fetchedAt, Instant expiresAt, long ageSeconds, boolean stale) {

        static RateView of(ResolvedRate r, Instant now) {
            long age = r.effectiveAt() == null ? 0 : Math.max(0, Duration.between(r.effectiveAt(), now).toSeconds());
            boolean stale = r.expiresAt() != null && now.isAfter(r.expiresAt());
            return new RateView(r.base(), r.quote(), r.rate().toPlainString(), r.kind().name().toLowerCase(), r.via(),
                    r.provider(), r.effectiveAt(), r.fetchedAt(), r.expiresAt(), age, stale);
        }
    }

    public record RateListView(String base, int count, List<RateView> rates) {
    }

    public record ConversionView(String from, String to, String amount, String converted, int quoteMinorUnits,
            String rounding, RateView rate) {

        static ConversionView of(RatesService.Conversion c, Instant now) {
            return new ConversionView(c.rate().base(), c.rate().quote(), c.amount().toPlainString(),
                    c.converted().toPlainString(), c.minorUnits(), "HALF_EVEN", RateView.of(c.rate(), now));
        }
    }

    /**
     * One public history entry. Deliberately without the row's {@code actor}: who set a manual rate or forced a
     * refresh is an admin's user id, audit data that stays in the database and never reaches anonymous readers.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryItem(long id, String base, String quote, String rate, String provider, Instant effectiveAt,
            Instant fetchedAt, String trigger) {

        static HistoryItem of(ExchangeRateHistory h) {
            return new HistoryItem(h.id, h.base, h.quote, plain(h.rate), h.provider, h.effectiveAt, h.fetchedAt,
                    h.trigger);
        }
    }

    public record HistoryPage(String base, String quote, Instant from, Instant to, int page, int size, long total,
            List<HistoryItem> items) {
    }

    static String plain(BigDecimal d) {
        return d == null ? null : d.toPlainString();
    }
}
