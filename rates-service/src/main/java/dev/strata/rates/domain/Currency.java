package dev.strata.rates.domain;

/** An ISO 4217 currency the service knows; minorUnits is the number of decimals amounts are rounded to. */
public record Currency(String code, String name, int minorUnits) {
}
