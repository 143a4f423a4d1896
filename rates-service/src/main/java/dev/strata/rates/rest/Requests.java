package dev.strata.rates.rest;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import dev.strata.platform.problem.ProblemException;

/** Request bodies and the parsing of path/query values; every rejection names its field. */
public final class Requests {

    private static final Pattern CODE = Pattern.compile("^[A-Za-z]{3}$");
    /** fits numeric(38,18): up to 20 integer digits and 18 decimals, no sign, no exponent */
    private static final Pattern DECIMAL = Pattern.compile("^\\d{1,20}(\\.\\d{1,18})?$");

    private Requests() {
    }

    public record ConversionRequest(@NotBlank String from, @NotBlank String to, @NotBlank String amount) {
    }

    /** @param validForSeconds how long the override beats provider data (default strata.rates.override-validity) */
    public record OverrideRequest(@NotNull String rate, Long validForSeconds) {
    }

    static String code(String field, String raw) {
        if (raw == null || !CODE.matcher(raw).matches()) {
            throw ProblemException.invalidField(field, "must be a three-letter ISO 4217 currency code");
        }
        return raw.toUpperCase(Locale.ROOT);
    }

    static BigDecimal decimal(String field, String raw, boolean positive) {
        if (raw == null || !DECIMAL.matcher(raw.trim()).matches()) {
            throw ProblemException.invalidField(field,
                    "must be a decimal string like \"123.45\" (up to 20 integer and 18 fractional digits)");
        }
        BigDecimal v = new BigDecimal(raw.trim());
        if (positive && v.signum() <= 0) {
            throw ProblemException.invalidField(field, "must be greater than zero");
        }
        return v;
    }
}
