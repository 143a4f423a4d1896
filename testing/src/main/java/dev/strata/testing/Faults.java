package dev.strata.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a fault test asks of a service while a store is down or frozen: every answer is timed, and a call that
 * does not answer within {@link #HANG} counts as a hang (status 0), which no assertion accepts.
 */
public final class Faults {

    /** Longer than any store timeout a service may have: no answer by then is a hang. */
    public static final Duration HANG = Duration.ofSeconds(15);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Faults() {
    }

    /** One answer: status (0 = no answer within {@link #HANG}), content type, body, and how long it took. */
    public record Answer(int status, String contentType, String body, long millis) {

        public boolean isProblem(int expected) {
            return status == expected && contentType.startsWith("application/problem+json");
        }

        @Override
        public String toString() {
            return status + " in " + millis + " ms: " + (body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    /** {@code method url} with an optional bearer token and JSON body. */
    public static Answer call(String method, String url, String token, String json) {
        return call(method, url, token, "application/json", json);
    }

    public static Answer call(String method, String url, String token, String contentType, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(HANG)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            b.header("Content-Type", contentType);
        }
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            return new Answer(0, "", e.toString(), (System.nanoTime() - t0) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "", "interrupted", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    public static Answer get(String url, String token) {
        return call("GET", url, token, null);
    }

    /** The service under test on loopback (its test port). */
    public static String url(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /**
     * The service's readiness answer, from its management interface: {@code port} is the management port (in a
     * {@code @QuarkusTest}, {@code @TestHTTPResource(value = "/", management = true) URL} gives it), not the HTTP
     * port, which no longer serves {@code /q/health}.
     */
    public static Answer ready(int port) {
        return get(url(port, "/q/health/ready"), null);
    }

    /**
     * Repeats the call until it answers {@code status} and returns that answer, with {@code millis} the time from
     * the first try; the last answer otherwise (the caller's assertion then fails on it).
     */
    public static Answer await(int status, Duration bound, Supplier<Answer> call) {
        long t0 = System.nanoTime();
        long deadline = t0 + bound.toNanos();
        Answer a = call.get();
        while (a.status() != status && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            a = call.get();
        }
        return new Answer(a.status(), a.contentType(), a.body(), (System.nanoTime() - t0) / 1_000_000);
    }
}
