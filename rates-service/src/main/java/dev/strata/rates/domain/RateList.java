package dev.strata.rates.domain;

import java.util.List;

/** Every quote reachable from one base, as cached. */
public record RateList(String base, List<ResolvedRate> rates) {
}
