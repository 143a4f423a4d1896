package dev.strata.rates;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP server serving real-format provider fixtures, switchable per feed between valid, malformed,
 * slow, 429 and 503 answers, and counting the requests it gets.
 */
public final class FeedServer {

    public static final String ECB = "/ecb/eurofxref-daily.xml";
    public static final String ER_API = "/er/v6/latest/USD";

    public enum Mode {
        VALID, NEXT_UPDATE_IN_2H, TRUNCATED, NEGATIVE, XXE, WRONG_BASE, ERROR_RESULT, ZERO, SLOW, TOO_MANY, DOWN
    }

    private static FeedServer instance;

    private final HttpServer server;
    private final Map<String, Mode> modes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    /** Delay of every answer, so that concurrent refreshers really overlap. */
    private volatile long delayMs;

    private FeedServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "feed-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
        reset();
    }

    public static synchronized FeedServer get() {
        if (instance == null) {
            try {
                instance = new FeedServer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void reset() {
        modes.put(ECB, Mode.VALID);
        modes.put(ER_API, Mode.VALID);
        hits.clear();
        delayMs = 0;
    }

    public void mode(String path, Mode mode) {
        modes.put(path, mode);
    }

    public void delay(long ms) {
        delayMs = ms;
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        try (ex) {
            Mode mode = modes.get(path);
            if (mode == null) {
                send(ex, 404, "text/plain", "not found".getBytes());
                return;
            }
            if (delayMs > 0) {
                sleep(delayMs);
            }
            boolean ecb = path.equals(ECB);
            String type = ecb ? "text/xml" : "application/json";
            switch (mode) {
                case TOO_MANY -> {
                    ex.getResponseHeaders().add("Retry-After", "60");
                    send(ex, 429, "text/plain", "Too Many Requests".getBytes());
                }
                case DOWN -> send(ex, 503, "text/plain", "Service Unavailable".getBytes());
                case NEXT_UPDATE_IN_2H -> send(ex, 200, type, new String(fixture("er-api-valid.json"))
                        .replace("\"time_next_update_unix\":1763770661",
                                "\"time_next_update_unix\":" + (System.currentTimeMillis() / 1000 + 7200))
                        .getBytes());
                case SLOW -> {
                    sleep(5_000);
                    send(ex, 200, type, fixture(ecb ? "ecb-valid.xml" : "er-api-valid.json"));
                }
                default -> send(ex, 200, type, fixture(fixtureName(ecb, mode)));
            }
        } catch (IOException e) {
            // the client gave up (timeout test): nothing to do
        }
    }

    private static String fixtureName(boolean ecb, Mode mode) {
        String prefix = ecb ? "ecb-" : "er-api-";
        String suffix = ecb ? ".xml" : ".json";
        return prefix + switch (mode) {
            case TRUNCATED -> "truncated";
            case NEGATIVE -> "negative";
            case XXE -> "xxe";
            case WRONG_BASE -> "wrong-base";
            case ERROR_RESULT -> "error";
            case ZERO -> "zero";
            default -> "valid";
        } + suffix;
    }

    public static byte[] fixture(String name) {
        try (InputStream in = FeedServer.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
