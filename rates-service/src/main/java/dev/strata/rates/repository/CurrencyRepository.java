package dev.strata.rates.repository;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

import dev.strata.rates.domain.Currency;

/** The currency catalogue: seeded by migration, small and static, so it is read once and kept in memory. */
@ApplicationScoped
public class CurrencyRepository {

    private final Pool pool;
    private volatile Map<String, Currency> loaded;
    private final Uni<Map<String, Currency>> loading;

    public CurrencyRepository(Pool pool) {
        this.pool = pool;
        this.loading = Uni.createFrom().deferred(this::query)
                .invoke(m -> loaded = m)
                .memoize().until(() -> loaded == null);
    }

    public Uni<Map<String, Currency>> all() {
        Map<String, Currency> m = loaded;
        return m != null ? Uni.createFrom().item(m) : loading;
    }

    private Uni<Map<String, Currency>> query() {
        return pool.query("SELECT code, name, minor_units FROM rates.currencies ORDER BY code").execute()
                .map(rs -> {
                    Map<String, Currency> m = new LinkedHashMap<>();
                    rs.forEach(r -> m.put(r.getString("code"),
                            new Currency(r.getString("code"), r.getString("name"), r.getInteger("minor_units"))));
                    return Map.copyOf(m);
                });
    }
}
