package dev.strata.rates.provider;

/** A feed could not be fetched or did not hold a plausible publication; {@code reason} is a metric tag. */
public class FeedException extends RuntimeException {

    private final String reason;

    public FeedException(String reason, String message) {
        this(reason, message, null);
    }

    public FeedException(String reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
