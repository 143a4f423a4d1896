package dev.strata.rates.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Derives the rate of a pair from stored rows: the same currency is 1, a stored pair is used as is, the reverse
 * pair is inverted, otherwise the pair is crossed through the first pivot that reaches both sides, or else through
 * two pivots (base -> p1 -> p2 -> quote). Every
 * division happens once, in DECIMAL128 (34 significant digits), and the result is rounded to 18 decimals
 * half-even, so no precision is lost to intermediate rounding.
 */
public final class PairResolver {

    public static final int SCALE = 18;
    private static final MathContext MC = MathContext.DECIMAL128;

    private PairResolver() {
    }

    public static String key(String base, String quote) {
        return base + '/' + quote;
    }

    /** @param rows stored rows by {@link #key(String, String)} */
    public static Optional<ResolvedRate> resolve(String base, String quote, Map<String, StoredRate> rows,
            List<String> pivots) {
        if (base.equals(quote)) {
            return Optional.of(new ResolvedRate(base, quote, BigDecimal.ONE.setScale(SCALE), ResolvedRate.Kind.IDENTITY,
                    null, "identity", null, null, null));
        }
        StoredRate direct = rows.get(key(base, quote));
        if (direct != null) {
            return Optional.of(of(base, quote, direct.rate().setScale(SCALE, RoundingMode.HALF_EVEN),
                    ResolvedRate.Kind.DIRECT, null, direct, direct));
        }
        StoredRate reverse = rows.get(key(quote, base));
        if (reverse != null) {
            return Optional.of(of(base, quote, scale(BigDecimal.ONE.divide(reverse.rate(), MC)),
                    ResolvedRate.Kind.INVERSE, null, reverse, reverse));
        }
        for (String pivot : pivots) {
            if (pivot.equals(base) || pivot.equals(quote)) {
                continue;
            }
            Leg toQuote = leg(pivot, quote, rows);
            Leg toBase = leg(pivot, base, rows);
            if (toQuote == null || toBase == null) {
                continue;
            }
            // base->quote = (pivot->quote) / (pivot->base) = (nq/dq) / (nb/db) = nq*db / (dq*nb)
            BigDecimal rate = toQuote.num.multiply(toBase.den).divide(toQuote.den.multiply(toBase.num), MC);
            return Optional.of(of(base, quote, scale(rate), ResolvedRate.Kind.CROSS, pivot, toBase.row, toQuote.row));
        }
        // two pivots, e.g. SEK -> EUR -> USD -> KWD when SEK is only quoted against EUR and KWD only against USD
        for (String p1 : pivots) {
            for (String p2 : pivots) {
                if (p1.equals(p2) || p1.equals(base) || p1.equals(quote) || p2.equals(base) || p2.equals(quote)) {
                    continue;
                }
                Leg toBase = leg(p1, base, rows);
                Leg between = leg(p1, p2, rows);
                Leg toQuote = leg(p2, quote, rows);
                if (toBase == null || between == null || toQuote == null) {
                    continue;
                }
                // base->quote = (p1->base)^-1 * (p1->p2) * (p2->quote)
                BigDecimal rate = toBase.den.multiply(between.num).multiply(toQuote.num)
                        .divide(toBase.num.multiply(between.den).multiply(toQuote.den), MC);
                return Optional.of(of(base, quote, scale(rate), ResolvedRate.Kind.CROSS, p1 + "," + p2,
                        List.of(toBase.row, between.row, toQuote.row)));
            }
        }
        return Optional.empty();
    }

    private record Leg(BigDecimal num, BigDecimal den, StoredRate row) {
    }

    /** pivot->x as a fraction, from the stored pivot/x row or the x/pivot row. */
    private static Leg leg(String pivot, String x, Map<String, StoredRate> rows) {
        StoredRate d = rows.get(key(pivot, x));
        if (d != null) {
            return new Leg(d.rate(), BigDecimal.ONE, d);
        }
        StoredRate r = rows.get(key(x, pivot));
        if (r != null) {
            return new Leg(BigDecimal.ONE, r.rate(), r);
        }
        return null;
    }

    private static BigDecimal scale(BigDecimal v) {
        return v.setScale(SCALE, RoundingMode.HALF_EVEN);
    }

    /** A derived rate is as old as its oldest input and expires with the first of them. */
    private static ResolvedRate of(String base, String quote, BigDecimal rate, ResolvedRate.Kind kind, String via,
            StoredRate a, StoredRate b) {
        return of(base, quote, rate, kind, via, List.of(a, b));
    }

    private static ResolvedRate of(String base, String quote, BigDecimal rate, ResolvedRate.Kind kind, String via,
            List<StoredRate> inputs) {
        TreeSet<String> providers = new TreeSet<>();
        Instant effective = null;
        Instant fetched = null;
        Instant expires = null;
        for (StoredRate r : inputs) {
            providers.add(r.provider());
            effective = min(effective, r.effectiveAt());
            fetched = min(fetched, r.fetchedAt());
            expires = min(expires, r.expiresAt());
        }
        return new ResolvedRate(base, quote, rate, kind, via, String.join("+", providers), effective, fetched, expires);
    }

    private static Instant min(Instant x, Instant y) {
        return x == null || y.isBefore(x) ? y : x;
    }
}
