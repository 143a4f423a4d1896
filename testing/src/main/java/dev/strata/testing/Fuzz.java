package dev.strata.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generated malformed input for the per-service fuzz tests: documents that are not valid JSON (or hit the parser's
 * edges: duplicate keys, lone surrogates, deep nesting, huge numbers) and valid bodies with one to three fields
 * replaced by bad values. Seeded, so a failure reproduces; the failures it collects name request and body.
 */
public final class Fuzz {

    public static final String NUL = "\u0000";

    /** Bodies no endpoint may accept, whatever its schema. */
    public static final List<String> MALFORMED = List.of("{", "[]", "null", "\"text\"", "{\"a\":}", "{'a':1}",
            "{\"a\":\"A\",\"a\":\"B\"}", NUL, "{\"o\":{\"x\":\"1\",\"x\":\"2\"}}", "{\"a\":\"\\ud800\"}", "1e999999",
            "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}", "{\"a\":1}garbage", "\ufeff{}", "{\"a\":\"\u0000\"");

    /** Values that are wrong for nearly any string field. */
    public static final List<Object> BAD_STRINGS = List.of(1, true, List.of(), Map.of(), "", NUL, "a" + NUL + "b",
            "x".repeat(5000), "bell\u0007", "   ");

    /** Query parameter values that are wrong for numbers, cursors and enums alike. */
    public static final List<String> BAD_PARAMS = List.of("x", NUL, "-1", "99999999999999999999", "%%", "",
            "1e400", "9223372036854775807", "-9223372036854775808", "2147483648", "0x10", "NaN");

    private final Random random;
    private final List<String> failures = new ArrayList<>();
    private int sent;

    public Fuzz(long seed) {
        this.random = new Random(seed);
    }

    public Random random() {
        return random;
    }

    public <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** One time in five a malformed document, otherwise null (the caller then builds a mutated body). */
    public String malformedOrNull() {
        return random.nextInt(5) == 0 ? pick(MALFORMED) : null;
    }

    /** A copy of {@code valid} with one to three fields set to a value from {@code bad} (or removed when required). */
    public Map<String, Object> mutate(Map<String, Object> valid, Map<String, List<Object>> bad) {
        Map<String, Object> body = new LinkedHashMap<>(valid);
        List<String> names = new ArrayList<>(bad.keySet());
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            String field = pick(names);
            body.put(field, pick(bad.get(field)));
        }
        return body;
    }

    /**
     * Records one answer: anything but a 4xx {@code application/problem+json} is a failure.
     *
     * @return whether the answer was a 4xx problem
     */
    public boolean expectProblem(String request, String body, int status, String contentType) {
        sent++;
        boolean ok = status >= 400 && status < 500 && contentType != null
                && contentType.startsWith("application/problem+json");
        if (!ok) {
            failures.add(request + " -> " + status + " " + contentType + " body="
                    + (body == null ? "" : body.substring(0, Math.min(body.length(), 200))));
        }
        return ok;
    }

    public int sent() {
        return sent;
    }

    /** The first twenty failures (the count is in {@link #failureCount()}). */
    public List<String> failures() {
        return failures.subList(0, Math.min(failures.size(), 20));
    }

    public int failureCount() {
        return failures.size();
    }
}
