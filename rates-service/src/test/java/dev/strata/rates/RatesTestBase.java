package dev.strata.rates;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;

import dev.strata.rates.provider.EcbProvider;
import dev.strata.rates.provider.ErApiProvider;
import dev.strata.rates.service.RatesCache;
import dev.strata.rates.service.RefreshService;

/** Shared state reset and JDBC/Redis helpers: every test starts with no rates, no history and empty caches. */
abstract class RatesTestBase {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    AgroalDataSource db;

    @Inject
    RedisDataSource redis;

    @Inject
    RatesCache cache;

    @Inject
    RefreshService refresher;

    @BeforeEach
    void resetState() throws SQLException {
        FeedServer.get().reset();
        exec("DELETE FROM rates.exchange_rates");
        exec("DELETE FROM rates.exchange_rate_history");
        redis.key(String.class).del(RefreshService.LOCK, RefreshService.dueKey(EcbProvider.NAME),
                RefreshService.dueKey(ErApiProvider.NAME));
        cache.invalidateAll().await().atMost(WAIT);
    }

    RefreshService.RefreshReport refreshNow() {
        return refresher.forced("test-runner").await().atMost(WAIT);
    }

    void exec(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    String string(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
