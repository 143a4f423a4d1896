package dev.strata.rates.repository;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

import dev.strata.rates.domain.ExchangeRateHistory;

/** Reads the rate history of a pair, newest first, in pages. */
@ApplicationScoped
public class HistoryRepository implements PanacheRepositoryBase<ExchangeRateHistory, Long> {

    // fetchedAt >= from prunes partitions: a rate is never fetched before it takes effect
    private static final String RANGE = "base = :base and quote = :quote and effectiveAt >= :from and effectiveAt < :to"
            + " and fetchedAt >= :from";

    public record Slice(List<ExchangeRateHistory> items, long total) {
    }

    @WithSession
    public Uni<Slice> page(String base, String quote, Instant from, Instant to, int page, int size) {
        Parameters p = Parameters.with("base", base).and("quote", quote).and("from", from).and("to", to);
        return find(RANGE, Sort.descending("effectiveAt", "id"), p).page(Page.of(page, size)).list()
                .chain(items -> count(RANGE, p).map(total -> new Slice(items, total)));
    }
}
