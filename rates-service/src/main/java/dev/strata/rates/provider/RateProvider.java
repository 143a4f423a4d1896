package dev.strata.rates.provider;

import io.smallrye.mutiny.Uni;

import dev.strata.rates.domain.RateSnapshot;

/**
 * A source of exchange rates. {@link #fetch()} yields a fully validated snapshot or fails with a
 * {@link FeedException}: a provider never hands over a partial or implausible publication.
 */
public interface RateProvider {

    String name();

    boolean enabled();

    Uni<RateSnapshot> fetch();
}
