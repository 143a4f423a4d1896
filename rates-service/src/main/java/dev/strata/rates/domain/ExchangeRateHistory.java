package dev.strata.rates.domain;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A row of the partitioned {@code rates.exchange_rate_history}, read through Panache. Rows are written in bulk
 * by {@code RatesRepository} inside the refresh transaction, never through this entity.
 */
@Entity
@Table(name = "exchange_rate_history", schema = "rates")
public class ExchangeRateHistory extends PanacheEntityBase {

    @Id
    public Long id;

    @Column(columnDefinition = "bpchar")
    public String base;

    @Column(columnDefinition = "bpchar")
    public String quote;

    @Column(precision = 38, scale = 18)
    public BigDecimal rate;

    public String provider;

    @Column(name = "effective_at")
    public Instant effectiveAt;

    @Column(name = "fetched_at")
    public Instant fetchedAt;

    public String trigger;

    public String actor;
}
