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
        VALID, NEXT_UPDATE_IN_2H, TRUNCATED, NEGATIVE, XXE, WRONG_BASE, ERROR_RESULT, ZERO, SLOW, TOO_MANY, DOWN,
        /** the valid fixture, gzip- or zlib-encoded (Content-Encoding gzip / deflate) */
        GZIP, DEFLATE,
        /** {@link #OVERSIZED_BYTES} streamed in chunks with no Content-Length, for as long as the client reads */
        OVERSIZED,
        /** {@link #BOMB_INFLATED_BYTES} of blanks gzip-compressed to a few hundred KB (Content-Encoding gzip) */
        GZIP_BOMB
    }

    public static final long OVERSIZED_BYTES = 64L << 20;
    public static final long BOMB_INFLATED_BYTES = 256L << 20;
    private static byte[] bomb;

    private static FeedServer instance;

    private final HttpServer server;
    private final Map<String, Mode> modes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    /** Body bytes the last answer on a path got out before it finished or the client hung up. */
    private final Map<String, Long> sent = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> finished = new ConcurrentHashMap<>();
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
        sent.clear();
        finished.clear();
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

    /** Body bytes written by the last answer on {@code path}, once {@code answers} answers have finished. */
    public long bytesSent(String path, int answers, long waitMs) {
        long until = System.currentTimeMillis() + waitMs;
        while (finished.getOrDefault(path, new AtomicInteger()).get() < answers && System.currentTimeMillis() < until) {
            sleep(20);
        }
        if (finished.getOrDefault(path, new AtomicInteger()).get() < answers) {
            throw new AssertionError("the feed server is still writing " + path);
        }
        return sent.getOrDefault(path, 0L);
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
                case GZIP -> sendEncoded(ex, type, "gzip", gzip(fixture(ecb ? "ecb-valid.xml" : "er-api-valid.json")));
                case DEFLATE -> sendEncoded(ex, type, "deflate",
                        deflate(fixture(ecb ? "ecb-valid.xml" : "er-api-valid.json")));
                case OVERSIZED -> stream(ex, path, type);
                case GZIP_BOMB -> sendEncoded(ex, type, "gzip", bomb());
                case SLOW -> {
                    sleep(5_000);
                    send(ex, 200, type, fixture(ecb ? "ecb-valid.xml" : "er-api-valid.json"));
                }
                default -> send(ex, 200, type, fixture(fixtureName(ecb, mode)));
            }
        } catch (IOException e) {
            // the client gave up (timeout, size cap): nothing to do
        } finally {
            finished.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** A well-formed start, then padding without end: a feed that never stops unless the client does. */
    private void stream(HttpExchange ex, String path, String type) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(200, 0); // chunked: no Content-Length to refuse it by
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        long written = 0;
        sent.put(path, 0L);
        try (OutputStream out = ex.getResponseBody()) {
            byte[] head = new String(fixture("ecb-valid.xml")).replace("</gesmes:Envelope>", "").getBytes();
            out.write(head);
            written += head.length;
            while (written < OVERSIZED_BYTES) {
                out.write(chunk);
                out.flush();
                written += chunk.length;
                sent.put(path, written);
            }
        } finally {
            sent.put(path, written);
        }
    }

    private static void sendEncoded(HttpExchange ex, String type, String encoding, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Encoding", encoding);
        send(ex, 200, type, body);
    }

    /** The bomb is built once (about a second of CPU); tests call this first so no fetch waits for it. */
    public static synchronized byte[] bomb() throws IOException {
        if (bomb == null) {
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            byte[] blanks = new byte[1 << 20];
            java.util.Arrays.fill(blanks, (byte) ' ');
            try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(buf, 1 << 16)) {
                for (long n = 0; n < BOMB_INFLATED_BYTES; n += blanks.length) {
                    gz.write(blanks);
                }
            }
            bomb = buf.toByteArray();
        }
        return bomb;
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(buf)) {
            gz.write(plain);
        }
        return buf.toByteArray();
    }

    private static byte[] deflate(byte[] plain) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(buf)) {
            z.write(plain);
        }
        return buf.toByteArray();
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
