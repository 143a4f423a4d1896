package dev.strata.rates.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.rates.config.RatesConfig;
import dev.strata.rates.domain.StoredRate;

/**
 * Latest rates and their history. Uses the reactive pool directly: reads are one indexed query per cache miss,
 * and a refresh writes latest + history in one transaction with batched statements.
 */
@ApplicationScoped
public class RatesRepository {

    public static final String TRIGGER_SCHEDULED = "scheduled";
    public static final String TRIGGER_MANUAL = "manual";

    private static final String COLUMNS = "base, quote, rate, provider, effective_at, fetched_at, expires_at";

    private final Pool pool;
    private final RatesConfig config;
    private final Counter pairQueries;
    private final Counter listQueries;

    public RatesRepository(Pool pool, RatesConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.config = config;
        // counted at the query site: the cache's single-flight promise is "one query per key per replica"
        this.pairQueries = Counter.builder("rates_db_queries").tag("query", "pair")
                .description("Queries for latest rates issued by cache misses").register(registry);
        this.listQueries = Counter.builder("rates_db_queries").tag("query", "list").register(registry);
    }

    public double pairQueryCount() {
        return pairQueries.count();
    }

    /** Every stored pair whose both sides are among {@code codes} (the pair asked for and the pivots). */
    public Uni<List<StoredRate>> findAmong(Collection<String> codes) {
        pairQueries.increment();
        return pool.preparedQuery("SELECT " + COLUMNS
                + " FROM rates.exchange_rates WHERE base = ANY($1::bpchar[]) AND quote = ANY($1::bpchar[])")
                .execute(Tuple.of(codes.toArray(String[]::new)))
                .map(rs -> {
                    List<StoredRate> out = new ArrayList<>();
                    rs.forEach(r -> out.add(map(r)));
                    return out;
                });
    }

    /** Every stored pair touching one of {@code codes} on either side. */
    public Uni<List<StoredRate>> findTouching(Collection<String> codes) {
        listQueries.increment();
        return pool.preparedQuery("SELECT " + COLUMNS
                + " FROM rates.exchange_rates WHERE base = ANY($1::bpchar[]) OR quote = ANY($1::bpchar[])")
                .execute(Tuple.of(codes.toArray(String[]::new)))
                .map(rs -> {
                    List<StoredRate> out = new ArrayList<>();
                    rs.forEach(r -> out.add(map(r)));
                    return out;
                });
    }

    /**
     * Writes rates to history and latest in one transaction. History keeps every distinct publication (a scheduled
     * re-fetch of the same publication is not repeated; manual writes are always recorded). A provider does not
     * replace a manual override until the override expires, nor its own newer publication with an older one (a
     * lagging mirror or cache in front of the feed).
     */
    public Uni<Integer> write(List<StoredRate> rates, String trigger, String actor) {
        if (rates.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<Tuple> history = new ArrayList<>();
        List<Tuple> latest = new ArrayList<>();
        for (StoredRate r : rates) {
            history.add(Tuple.tuple(List.of(r.base(), r.quote(), r.rate(), r.provider(), ts(r.effectiveAt()),
                    ts(r.fetchedAt()), trigger)).addString(actor));
            latest.add(Tuple.tuple(List.of(r.base(), r.quote(), r.rate(), r.provider(), ts(r.effectiveAt()),
                    ts(r.fetchedAt()), ts(r.expiresAt()))));
        }
        return pool.withTransaction(tx -> ensurePartitions(tx)
                .chain(() -> tx.preparedQuery("""
                        INSERT INTO rates.exchange_rate_history
                            (base, quote, rate, provider, effective_at, fetched_at, trigger, actor)
                        SELECT $1::bpchar, $2::bpchar, $3::numeric, $4::varchar, $5::timestamptz, $6::timestamptz,
                               $7::varchar, $8::text
                        WHERE $7::varchar = 'manual' OR NOT EXISTS (
                            SELECT 1 FROM rates.exchange_rates e WHERE e.base = $1::bpchar AND e.quote = $2::bpchar
                               AND e.provider = $4::varchar AND e.effective_at = $5::timestamptz AND e.rate = $3::numeric)
                        """).executeBatch(history))
                .chain(() -> tx.preparedQuery("INSERT INTO rates.exchange_rates AS r (" + COLUMNS + """
                        ) VALUES ($1, $2, $3, $4, $5, $6, $7)
                        ON CONFLICT (base, quote) DO UPDATE SET rate = EXCLUDED.rate, provider = EXCLUDED.provider,
                            effective_at = EXCLUDED.effective_at, fetched_at = EXCLUDED.fetched_at,
                            expires_at = EXCLUDED.expires_at
                        WHERE (EXCLUDED.provider = 'manual' OR r.provider <> 'manual' OR r.expires_at <= EXCLUDED.fetched_at)
                          AND NOT (r.provider = EXCLUDED.provider AND r.effective_at > EXCLUDED.effective_at)
                        """).executeBatch(latest))
                .replaceWith(rates.size()));
    }

    /** The newest effective time stored per provider (for the rate age gauge). */
    public Uni<java.util.Map<String, Instant>> newestByProvider() {
        return pool.query("SELECT provider, max(effective_at) AS newest FROM rates.exchange_rates GROUP BY provider")
                .execute().map(rs -> {
                    java.util.Map<String, Instant> m = new java.util.HashMap<>();
                    rs.forEach(r -> m.put(r.getString("provider"), r.getOffsetDateTime("newest").toInstant()));
                    return m;
                });
    }

    public Uni<Integer> ensurePartitions() {
        return pool.withConnection(this::ensurePartitions);
    }

    private Uni<Integer> ensurePartitions(SqlConnection c) {
        return c.preparedQuery("SELECT rates.ensure_history_partitions($1)").execute(Tuple.of(config.partitionsAhead()))
                .map(rs -> rs.iterator().next().getInteger(0));
    }

    private static OffsetDateTime ts(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static StoredRate map(Row r) {
        return new StoredRate(r.getString("base"), r.getString("quote"), r.getBigDecimal("rate"),
                r.getString("provider"), r.getOffsetDateTime("effective_at").toInstant(),
                r.getOffsetDateTime("fetched_at").toInstant(), r.getOffsetDateTime("expires_at").toInstant());
    }
}
