package dev.strata.platform.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;

/** One limiter decision, with the standard headers it implies. */
public record Decision(String policy, boolean allowed, int limit, long remaining, long retryAfterMillis,
        long resetMillis) {

    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("RateLimit-Limit", Integer.toString(limit));
        h.put("RateLimit-Remaining", Long.toString(remaining));
        h.put("RateLimit-Reset", Long.toString(ceilSeconds(resetMillis)));
        if (!allowed) {
            h.put("Retry-After", Long.toString(Math.max(1, ceilSeconds(retryAfterMillis))));
        }
        return h;
    }

    private static long ceilSeconds(long millis) {
        return (millis + 999) / 1000;
    }
}
