package dev.strata.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.Fuzz;
import dev.strata.testing.StrataServersResource;

/**
 * Generated malformed requests against every rates endpoint, public and admin: each carries at least one invalid
 * part (path code, query parameter, body, credential or method), so each must be a 4xx problem, never a 5xx,
 * and the rates schema must hold exactly what it held before. The test profile's rate limits are far above what
 * this sends, so the validation paths themselves are exercised (a 429 would also be counted as a failure here).
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = FeedServerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RatesFuzzTest extends RatesTestBase {

    static final int REQUESTS = 1600;
    static final String NUL = Fuzz.NUL;

    /**
     * Never a valid ISO 4217 code in the path or a body: wrong length, digits, NUL, non-Latin letters. (Not "..":
     * the server normalises /api/rates/EUR/.. to /api/rates, a valid list request.)
     */
    static final List<String> BAD_CODES = List.of("EU", "EURO", "E1R", "E" + NUL + "R", NUL, "€UR", "ÄÖÜ", "US D",
            "x".repeat(300), "12", "e-r", "EUR" + NUL, "ＥＵＲ", "<a>", "'--", "E.R");
    static final List<Object> BAD_AMOUNTS = List.of("abc", "-5", "1e5", "1.0000000000000000001",
            "123456789012345678901", "0x10", "NaN", "Infinity", "1,5", "1.", ".5", "+1", "1 000", 1, 1.5, true);
    static final List<Object> BAD_RATES = List.of("-1", "0", "0.000", "abc", "1e5", "1.2.3", "", NUL, "1" + NUL,
            "123456789012345678901.1", 1.2, 0, true, List.of(), Map.of(), "x".repeat(5000));
    /** (Not "", 1.5 or "60": Jackson reads those as null, 1 and 60 for a Long, which are valid.) */
    static final List<Object> BAD_VALIDITIES = List.of(0, -1, 2_592_001, Long.MAX_VALUE, "x", NUL, List.of(),
            Map.of(), "9".repeat(30), -2_592_000);
    /** (Not "": an empty parameter counts as not given.) */
    static final List<String> BAD_INSTANTS = List.of("yesterday", NUL, "2025-13-01T00:00:00Z", "2025-11-01",
            "-1000000000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z", "1998-12-31T00:00:00Z",
            "2999-01-01T00:00:00Z", "2025-11-01T00:00:00", "2025-11-01T00:00:00Z" + NUL, "x".repeat(3000));
    static final List<String> BAD_TOKENS = List.of("garbage", "x".repeat(4000), "a.b.c", "null", "Bearer",
            "' or 1=1 --", "\u00e9t\u00e9");

    @Inject
    SessionStore sessions;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    final ObjectMapper json = new ObjectMapper();

    @Test
    void malformedRequestsAreAlways4xxProblemsAndWriteNothing() throws Exception {
        refreshNow(); // real data to read, so a request that slipped through validation would answer 200
        String admin = TestSessions.mint(sessions, "admin").token();
        String user = TestSessions.mint(sessions, "user").token();
        Map<String, Long> before = rowCounts();
        Fuzz fuzz = new Fuzz(20261122L);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Integer> perEndpoint = new TreeMap<>();

        for (int i = 0; i < REQUESTS; i++) {
            Attempt a = switch (i % 8) {
                case 7 -> ping(fuzz);
                case 0 -> pairRead(fuzz);
                case 1 -> list(fuzz);
                case 2 -> conversion(fuzz);
                case 3 -> history(fuzz);
                case 4, 5 -> override(fuzz, admin, user);
                default -> refreshOrWrongMethod(fuzz, admin, user);
            };
            Answer r = a.send(client, port);
            int status = r.status();
            statuses.merge(status, 1, Integer::sum);
            perEndpoint.merge(a.endpoint(), 1, Integer::sum);
            if (fuzz.expectProblem(a.describe(), r.body(), status, r.contentType())) {
                // the problem document itself: a stable type and the same status
                JsonNode doc = json.readTree(r.body());
                if (!doc.path("type").asText().startsWith("https://strata.dev/problems/")
                        || doc.path("status").asInt() != status) {
                    fuzz.expectProblem(a.describe() + " (problem document)", r.body(), 500, "not a problem document");
                }
            }
        }

        System.out.println("RatesFuzzTest: " + fuzz.sent() + " requests, statuses " + statuses + ", per endpoint "
                + perEndpoint);
        assertTrue(fuzz.sent() >= 1000, "sent " + fuzz.sent());
        assertEquals(0, fuzz.failureCount(), fuzz.failureCount() + " bad answers, e.g. " + fuzz.failures()
                + "\nstatuses " + statuses);
        assertEquals(before, rowCounts(), "the rates schema changed");
        // the validation path itself was exercised (not only authentication or routing)
        assertTrue(statuses.getOrDefault(400, 0) > REQUESTS / 2, "statuses " + statuses);
        assertTrue(statuses.getOrDefault(401, 0) > 0 && statuses.getOrDefault(403, 0) > 0, "statuses " + statuses);
        assertEquals(8, perEndpoint.size(), "endpoints " + perEndpoint);
    }

    // --- one generator per endpoint; every request has at least one invalid part ---

    private Attempt pairRead(Fuzz f) {
        String[] codes = codes(f);
        return new Attempt("GET pair", "GET", "/api/rates/{b}/{q}", List.of(codes[0], codes[1]), Map.of(), null,
                null, null);
    }

    /** ping takes nothing: the only malformed requests are ones asking for a representation it does not have. */
    private Attempt ping(Fuzz f) {
        return new Attempt("GET ping", "GET", "/api/rates/ping", List.of(), Map.of(), null, null, null,
                f.pick(List.of("application/json", "application/xml", "image/png", "application/problem+json")));
    }

    private Attempt list(Fuzz f) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("base", f.pick(BAD_CODES));
        return new Attempt("GET list", "GET", "/api/rates", List.of(), q, null, null, null);
    }

    private Attempt conversion(Fuzz f) throws Exception {
        String body = f.malformedOrNull();
        int kind = f.random().nextInt(8);
        if (body == null && kind == 0) {
            // duplicate keys: read leniently this would be a valid conversion
            body = "{\"from\":\"EUR\",\"from\":\"GBP\",\"to\":\"USD\",\"amount\":\"1\"}";
        } else if (body == null && kind == 1) {
            body = "{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"1" + NUL + "\"}";
        } else if (body == null) {
            Map<String, Object> valid = new LinkedHashMap<>(Map.of("from", "EUR", "to", "USD", "amount", "10.5"));
            Map<String, List<Object>> bad = new LinkedHashMap<>();
            bad.put("from", badCodesAndStrings());
            bad.put("to", badCodesAndStrings());
            bad.put("amount", concat(BAD_AMOUNTS, Fuzz.BAD_STRINGS));
            body = json.writeValueAsString(f.mutate(valid, bad));
        }
        return new Attempt("POST conversions", "POST", "/api/rates/conversions", List.of(), Map.of(), body,
                contentType(f), null);
    }

    private Attempt history(Fuzz f) {
        String[] codes = f.random().nextInt(4) == 0 ? codes(f) : new String[] {"EUR", "USD"};
        boolean codesBad = !codes[0].equals("EUR");
        Map<String, String> q = new LinkedHashMap<>();
        Instant now = Instant.now();
        // a valid window by default; then one to three parameters spoiled (always at least one if the codes are fine)
        q.put("from", now.minus(Duration.ofDays(30)).toString());
        q.put("to", now.minus(Duration.ofMinutes(1)).toString());
        int spoil = (codesBad ? 0 : 1) + f.random().nextInt(3);
        for (int i = 0; i < spoil; i++) {
            switch (f.random().nextInt(6)) {
                case 0 -> q.put("from", f.pick(BAD_INSTANTS));
                case 1 -> q.put("to", f.pick(BAD_INSTANTS));
                case 2 -> q.put("page", f.pick(Fuzz.BAD_PARAMS));
                case 3 -> q.put("size", f.pick(Fuzz.BAD_PARAMS));
                case 4 -> { // page x size past 2^31 (or past the deepest page)
                    q.put("page", f.pick(List.of("2147483647", "10737419", "21474837", "100001", "501")));
                    q.put("size", "200");
                }
                default -> { // a window wider than allowed
                    q.put("from", now.minus(Duration.ofDays(367 + f.random().nextInt(10_000))).toString());
                    q.put("to", now.minus(Duration.ofMinutes(1)).toString());
                }
            }
        }
        // "" means "not given" for page/size: not malformed by itself
        q.replaceAll((k, v) -> (k.equals("page") || k.equals("size")) && v.isEmpty() ? "x" : v);
        return new Attempt("GET history", "GET", "/api/rates/{b}/{q}/history", List.of(codes[0], codes[1]), q,
                null, null, null);
    }

    private Attempt override(Fuzz f, String admin, String user) throws Exception {
        int kind = f.random().nextInt(10);
        String path = "/api/rates/{b}/{q}";
        if (kind == 0) { // a good body from someone who may not write
            String token = f.random().nextBoolean() ? user : f.random().nextBoolean() ? null : f.pick(BAD_TOKENS);
            return new Attempt("PUT override", "PUT", path, List.of("EUR", "USD"), Map.of(), "{\"rate\":\"1.2\"}",
                    "application/json", token);
        }
        if (kind == 1) { // bad codes, good body
            String[] codes = f.random().nextBoolean() ? codes(f) : new String[] {"CHF", "CHF"};
            return new Attempt("PUT override", "PUT", path, List.of(codes[0], codes[1]), Map.of(),
                    "{\"rate\":\"1.2\"}", "application/json", admin);
        }
        String body = f.malformedOrNull();
        if (body == null && kind == 2) {
            body = "{\"rate\":\"1.2\",\"rate\":\"1.3\"}";
        } else if (body == null && kind == 3) {
            body = "{\"rate\":\"1.2" + NUL + "\"}";
        } else if (body == null) {
            Map<String, Object> valid = new LinkedHashMap<>(Map.of("rate", "1.2", "validForSeconds", 3600));
            Map<String, List<Object>> bad = new LinkedHashMap<>();
            bad.put("rate", BAD_RATES);
            bad.put("validForSeconds", BAD_VALIDITIES);
            body = json.writeValueAsString(f.mutate(valid, bad));
        }
        return new Attempt("PUT override", "PUT", path, List.of("EUR", "USD"), Map.of(), body, contentType(f), admin);
    }

    private Attempt refreshOrWrongMethod(Fuzz f, String admin, String user) {
        if (f.random().nextInt(3) == 0) {
            String method = f.pick(List.of("DELETE", "PATCH", "PUT", "GET"));
            String path = f.pick(List.of("/api/rates/EUR/USD", "/api/rates/conversions", "/api/rates/refreshes",
                    "/api/rates/EUR/USD/history", "/api/rates/ping", "/api/rates"));
            // GET/PUT are fine on some paths; only the ones that are not count
            if (method.equals("GET") && !path.endsWith("refreshes") && !path.endsWith("conversions")) {
                method = "DELETE";
            }
            if (method.equals("GET") && path.equals("/api/rates")) {
                method = "PATCH";
            }
            if (method.equals("PUT") && path.equals("/api/rates/EUR/USD")) {
                method = "PATCH";
            }
            return new Attempt("wrong method", method, path, List.of(), Map.of(), "{}", "application/json", admin);
        }
        String token = f.random().nextBoolean() ? user : f.random().nextBoolean() ? null : f.pick(BAD_TOKENS);
        String body = f.random().nextBoolean() ? null : f.pick(Fuzz.MALFORMED);
        return new Attempt("POST refreshes", "POST", "/api/rates/refreshes", List.of(), Map.of(), body,
                body == null ? null : contentType(f), token);
    }

    // --- helpers ---

    /** Two path codes of which at least one is malformed. */
    private static String[] codes(Fuzz f) {
        return switch (f.random().nextInt(3)) {
            case 0 -> new String[] {f.pick(BAD_CODES), "USD"};
            case 1 -> new String[] {"EUR", f.pick(BAD_CODES)};
            default -> new String[] {f.pick(BAD_CODES), f.pick(BAD_CODES)};
        };
    }

    private static List<Object> badCodesAndStrings() {
        return concat(new ArrayList<>(BAD_CODES), Fuzz.BAD_STRINGS);
    }

    private static List<Object> concat(List<?> a, List<?> b) {
        List<Object> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String contentType(Fuzz f) {
        // mostly JSON, so the body is really parsed; sometimes a type the endpoint does not take
        return f.random().nextInt(8) == 0
                ? f.pick(List.of("text/plain", "application/xml", "application/x-www-form-urlencoded"))
                : "application/json";
    }

    /** One request, sent byte-exact with the JDK client (no client-side encoding of bodies or retries). */
    private record Attempt(String endpoint, String method, String path, List<String> pathParams,
            Map<String, String> query, String body, String contentType, String token, String accept) {

        Attempt(String endpoint, String method, String path, List<String> pathParams, Map<String, String> query,
                String body, String contentType, String token) {
            this(endpoint, method, path, pathParams, query, body, contentType, token, null);
        }

        Answer send(HttpClient client, int port) throws Exception {
            String p = path;
            for (String param : pathParams) {
                p = p.replaceFirst("\\{[a-z]+\\}", java.util.regex.Matcher.quoteReplacement(encode(param)));
            }
            StringBuilder uri = new StringBuilder("http://localhost:" + port + p);
            char sep = '?';
            for (Map.Entry<String, String> e : query.entrySet()) {
                uri.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
                sep = '&';
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(uri.toString()))
                    .timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
            if (body != null) {
                req.header("Content-Type", contentType == null ? "application/json" : contentType);
            }
            if (token != null) {
                req.header("Authorization", "Bearer " + token);
            }
            if (accept != null) {
                req.header("Accept", accept);
            }
            HttpResponse<String> r = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        String describe() {
            String b = body == null ? "" : " body=" + body.substring(0, Math.min(body.length(), 120));
            return method + " " + path + " " + pathParams + " " + query + b + (token == null ? "" : " (token)");
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    /** Rows of every table in the rates schema (partitions included), and which tables there are. */
    private Map<String, Long> rowCounts() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        List<String> tables = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = 'rates' AND table_type = 'BASE TABLE'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String t : tables) {
            counts.put(t, count("SELECT count(*) FROM rates.\"" + t + "\""));
        }
        return counts;
    }
}
