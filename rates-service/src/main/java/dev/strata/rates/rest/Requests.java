package dev.strata.rates.rest;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

import dev.strata.platform.problem.ProblemException;

/** Request bodies and the parsing of path/query values; every rejection names its field. */
public final class Requests {

    private static final Pattern CODE = Pattern.compile("^[A-Za-z]{3}$");
    /** fits numeric(38,18): up to 20 integer digits and 18 decimals, no sign, no exponent */
    private static final Pattern DECIMAL = Pattern.compile("^\\d{1,20}(\\.\\d{1,18})?$");

    private static final Pattern INTEGER = Pattern.compile("^-?\\d{1,10}$");

    private Requests() {
    }

    public record ConversionRequest(@NotBlank String from, @NotBlank String to, @NotBlank String amount) {
    }

    /**
     * @param validForSeconds how long the override beats provider data (default strata.rates.override-validity).
     *        Read as a raw JSON node: bound to a {@code Long}, Jackson would take "60" as 60, 1.5 as 1, and "" or
     *        a NUL string as null (the default), so a malformed value would silently become a valid write.
     */
    public record OverrideRequest(@NotNull String rate,
            @Schema(implementation = Long.class, minimum = "1", maximum = "2592000") JsonNode validForSeconds) {
    }

    static String code(String field, String raw) {
        if (raw == null || !CODE.matcher(raw).matches()) {
            throw ProblemException.invalidField(field, "must be a three-letter ISO 4217 currency code");
        }
        return raw.toUpperCase(Locale.ROOT);
    }

    /** A decimal query integer in {@code min..max}; null gives {@code dflt}. Never a 404/500 for a bad number. */
    static int integer(String field, String raw, int dflt, int min, int max) {
        if (raw == null) {
            return dflt;
        }
        // at most 10 digits (anything longer is out of range anyway), so parseLong cannot overflow
        if (!INTEGER.matcher(raw).matches()) {
            throw ProblemException.invalidField(field, "must be a whole number between " + min + " and " + max);
        }
        long v = Long.parseLong(raw);
        if (v < min || v > max) {
            throw ProblemException.invalidField(field, "must be between " + min + " and " + max);
        }
        return (int) v;
    }

    /** A whole JSON number in {@code min..max}, or null when absent / JSON null; strings and fractions are refused. */
    static Long wholeNumber(String field, JsonNode node, long min, long max) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw ProblemException.invalidField(field, "must be a whole number between " + min + " and " + max);
        }
        return node.asLong();
    }

    static BigDecimal decimal(String field, String raw, boolean positive) {
        // strip(), not trim(): trim() also drops control characters, so "1\u0000" would have passed as 1
        if (raw == null || !DECIMAL.matcher(raw.strip()).matches()) {
            throw ProblemException.invalidField(field,
                    "must be a decimal string like \"123.45\" (up to 20 integer and 18 fractional digits)");
        }
        BigDecimal v = new BigDecimal(raw.strip());
        if (positive && v.signum() <= 0) {
            throw ProblemException.invalidField(field, "must be greater than zero");
        }
        return v;
    }
}
