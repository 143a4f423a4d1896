package dev.strata.rates.service;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.rates.config.RatesConfig;
import dev.strata.rates.domain.Currency;
import dev.strata.rates.domain.PairResolver;
import dev.strata.rates.domain.RateList;
import dev.strata.rates.domain.ResolvedRate;
import dev.strata.rates.domain.StoredRate;
import dev.strata.rates.repository.CurrencyRepository;
import dev.strata.rates.repository.HistoryRepository;
import dev.strata.rates.repository.RatesRepository;

/** Read side: pair rates, all rates of a base, conversions and history, through the cache. */
@ApplicationScoped
public class RatesService {

    public static final String NO_RATE = "https://strata.dev/problems/rates/no-rate";
    public static final String UNKNOWN_CURRENCY = "https://strata.dev/problems/rates/unknown-currency";

    private final RatesRepository rates;
    private final CurrencyRepository currencies;
    private final HistoryRepository history;
    private final RatesCache cache;
    private final List<String> pivots;

    public RatesService(RatesRepository rates, CurrencyRepository currencies, HistoryRepository history,
            RatesCache cache, RatesConfig config) {
        this.rates = rates;
        this.currencies = currencies;
        this.history = history;
        this.cache = cache;
        this.pivots = List.copyOf(config.pivots());
    }

    public Uni<Map<String, Currency>> currencies() {
        return currencies.all();
    }

    /** Fails with 404 for a currency the service does not know. */
    public Uni<Currency> currency(String field, String code) {
        return currencies.all().map(all -> {
            Currency c = all.get(code);
            if (c == null) {
                throw new ProblemException(ProblemType.NOT_FOUND, UNKNOWN_CURRENCY,
                        "Unknown currency " + code + " (" + field + ")", null, Map.of(), null);
            }
            return c;
        });
    }

    public Uni<ResolvedRate> rate(String base, String quote) {
        return currency("base", base).chain(() -> currency("quote", quote))
                .chain(() -> cache.get(RatesCache.rateKey(base, quote), ResolvedRate.class, () -> load(base, quote)))
                .onFailure(f -> !(f instanceof ProblemException)).transform(RatesService::storeDown)
                .onItem().ifNull().failWith(() -> new ProblemException(ProblemType.NOT_FOUND, NO_RATE,
                        "No rate is available for " + base + "/" + quote, null, Map.of(), null));
    }

    private Uni<ResolvedRate> load(String base, String quote) {
        if (base.equals(quote)) {
            return Uni.createFrom().item(PairResolver.resolve(base, quote, Map.of(), pivots).orElseThrow());
        }
        Set<String> codes = new LinkedHashSet<>(List.of(base, quote));
        codes.addAll(pivots);
        return rates.findAmong(codes).map(rows -> PairResolver.resolve(base, quote, index(rows), pivots).orElse(null));
    }

    public Uni<RateList> rates(String base) {
        return currency("base", base)
                .chain(() -> cache.get(RatesCache.listKey(base), RateList.class, () -> loadList(base)))
                .onFailure(f -> !(f instanceof ProblemException)).transform(RatesService::storeDown);
    }

    private Uni<RateList> loadList(String base) {
        Set<String> codes = new LinkedHashSet<>(List.of(base));
        codes.addAll(pivots);
        return currencies.all().chain(all -> rates.findTouching(codes).map(rows -> {
            Map<String, StoredRate> byPair = index(rows);
            List<ResolvedRate> out = new ArrayList<>();
            for (String quote : all.keySet()) {
                if (!quote.equals(base)) {
                    PairResolver.resolve(base, quote, byPair, pivots).ifPresent(out::add);
                }
            }
            return new RateList(base, List.copyOf(out));
        }));
    }

    public record Conversion(BigDecimal amount, BigDecimal converted, ResolvedRate rate, int minorUnits) {
    }

    /** amount x the 18-decimal rate shown, rounded to the quote currency's minor units half-even. */
    public Uni<Conversion> convert(String from, String to, BigDecimal amount) {
        return currency("to", to).chain(target -> rate(from, to).map(r -> new Conversion(amount,
                amount.multiply(r.rate()).setScale(target.minorUnits(), RoundingMode.HALF_EVEN), r,
                target.minorUnits())));
    }

    public Uni<HistoryRepository.Slice> history(String base, String quote, Instant from, Instant to, int page,
            int size) {
        return currency("base", base).chain(() -> currency("quote", quote))
                .chain(() -> history.page(base, quote, from, to, page, size));
    }

    private static Throwable storeDown(Throwable f) {
        return ProblemException.dependencyDown("The rates database", f);
    }

    private static Map<String, StoredRate> index(List<StoredRate> rows) {
        Map<String, StoredRate> m = new HashMap<>();
        for (StoredRate r : rows) {
            m.put(PairResolver.key(r.base(), r.quote()), r);
        }
        return m;
    }
}
