package dev.strata.platform.events;

/** Channel names shared by the services. */
public final class EventChannels {

    public static final String SESSIONS_REVOKED = "strata.sessions.revoked";
    /** A live session's record was rewritten (e.g. roles changed): near-caches drop {@code tokenHashes}. */
    public static final String SESSIONS_UPDATED = "strata.sessions.updated";
    public static final String SESSIONS_FAMILY = "strata.sessions.*";
    public static final String KYC_FAMILY = "strata.kyc.*";
    public static final String RATES_UPDATED = "strata.rates.updated";
    public static final String ALERTS_FAMILY = "strata.alerts.*";

    private EventChannels() {
    }

    public static String kyc(String event) {
        return "strata.kyc." + event;
    }

    public static String alerts(String severity) {
        return "strata.alerts." + severity;
    }

    public static String tokenTransfers(String tokenAddress) {
        return "token:" + tokenAddress + ":transfers";
    }
}
