package dev.strata.rates.provider;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

import dev.strata.rates.config.RatesConfig;

/**
 * Downloads a feed body with bounded time and size. The size cap ({@code providers.max-body-bytes}) is enforced
 * while the body streams in, and again on the decoded bytes of a gzip/deflate body, whose inflation stops at the
 * cap: an endless or bomb-like answer costs at most the cap in memory, never its full size. {@code classpath:} and
 * {@code file:} URLs read a bundled or local snapshot instead (on a worker thread), which is how the service runs
 * offline.
 */
@ApplicationScoped
public class FeedFetcher {

    private final HttpClient client;
    private final RatesConfig.Providers config;

    public FeedFetcher(Vertx vertx, RatesConfig config) {
        this.config = config.providers();
        int connectMs = (int) this.config.connectTimeout().toMillis();
        // no automatic decompression: Vert.x would inflate a whole body before we could count it; we ask for
        // gzip/deflate ourselves and inflate with a bound (decode)
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(connectMs)
                .setKeepAlive(false).setMaxPoolSize(4).setTryUseCompression(false));
    }

    @PreDestroy
    void close() {
        client.closeAndForget();
    }

    public Uni<String> get(String url, String accept) {
        if (url.startsWith("classpath:")) {
            return blocking(() -> {
                String name = url.substring("classpath:".length()).replaceFirst("^/+", "");
                try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new FeedException("io", "no classpath resource " + name);
                    }
                    return readBounded(in);
                }
            });
        }
        if (url.startsWith("file:")) {
            return blocking(() -> {
                try (InputStream in = Files.newInputStream(Path.of(URI.create(url)))) {
                    return readBounded(in);
                }
            });
        }
        long timeoutMs = config.requestTimeout().toMillis();
        int cap = config.maxBodyBytes();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                .setIdleTimeout(timeoutMs).putHeader("Accept", accept)
                .putHeader("Accept-Encoding", "gzip, deflate")
                .putHeader("User-Agent", "strata-rates-service");
        return client.request(options)
                .chain(req -> req.send())
                .chain(resp -> {
                    HttpClientResponse raw = resp.getDelegate();
                    int status = resp.statusCode();
                    if (status != 200) {
                        String reason = status == 429 ? "http_429" : status >= 500 ? "http_5xx" : "http_status";
                        raw.request().reset(); // the error page is of no use: do not read it
                        return Uni.createFrom().failure(new FeedException(reason, "HTTP " + status));
                    }
                    String length = resp.getHeader("Content-Length");
                    if (length != null && length.matches("\\d{1,12}") && Long.parseLong(length) > cap) {
                        raw.request().reset();
                        return Uni.createFrom().failure(new FeedException("too_large", "body of " + length + " bytes"));
                    }
                    String encoding = resp.getHeader("Content-Encoding");
                    return readCapped(raw, cap).map(body -> decode(encoding, body, cap));
                })
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .ifNoItem().after(config.requestTimeout()).failWith(() -> new FeedException("timeout",
                        "no complete answer within " + config.requestTimeout()))
                .onFailure(f -> !(f instanceof FeedException)).transform(f -> f instanceof TimeoutException
                        ? new FeedException("timeout", f.getMessage(), f)
                        : new FeedException("io", String.valueOf(f.getMessage()), f));
    }

    /**
     * The body as received, refused (and the connection reset, so nothing more is read) the moment it passes
     * {@code cap} bytes; a Content-Length cannot be trusted to announce that (chunked answers have none).
     */
    static Uni<byte[]> readCapped(HttpClientResponse resp, int cap) {
        return Uni.createFrom().emitter(em -> {
            io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer(Math.min(cap, 64 * 1024));
            boolean[] done = {false}; // all handlers run on the connection's event loop
            resp.exceptionHandler(e -> {
                if (!done[0]) {
                    done[0] = true;
                    em.fail(e);
                }
            });
            resp.handler(chunk -> {
                if (done[0]) {
                    return;
                }
                if ((long) body.length() + chunk.length() > cap) {
                    done[0] = true;
                    resp.request().reset();
                    em.fail(new FeedException("too_large", "body passed " + cap + " bytes while downloading"));
                    return;
                }
                body.appendBuffer(chunk);
            });
            resp.endHandler(v -> {
                if (!done[0]) {
                    done[0] = true;
                    em.complete(body.getBytes());
                }
            });
            // a timeout (or any cancellation) stops the download too
            em.onTermination(() -> {
                if (!done[0]) {
                    done[0] = true;
                    resp.request().reset();
                }
            });
        });
    }

    /**
     * Undoes the Content-Encoding, producing at most {@code cap} bytes: inflation stops as soon as the output
     * passes the cap, so a small compressed body that expands to gigabytes is refused after {@code cap + 1} bytes.
     * Bounded CPU (the cap), so it stays on the event loop.
     */
    static byte[] decode(String contentEncoding, byte[] body, int cap) {
        String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        try {
            return switch (encoding) {
                case "", "identity" -> body;
                case "gzip", "x-gzip" -> inflate(new GZIPInputStream(new ByteArrayInputStream(body)), null, cap);
                case "deflate" -> {
                    // "deflate" should be zlib-wrapped (RFC 9110), but some servers send a raw deflate stream
                    Inflater inflater = new Inflater(!zlibHeader(body));
                    yield inflate(new InflaterInputStream(new ByteArrayInputStream(body), inflater), inflater, cap);
                }
                default -> throw new FeedException("garbage", "unsupported Content-Encoding " + encoding);
            };
        } catch (ZipException | EOFException e) {
            throw new FeedException("garbage", "corrupt " + encoding + " body: " + e.getMessage());
        } catch (IOException e) {
            throw new FeedException("io", e.getMessage(), e);
        }
    }

    private static byte[] inflate(InputStream in, Inflater own, int cap) throws IOException {
        try (in) {
            byte[] out = in.readNBytes(cap + 1);
            if (out.length > cap) {
                throw new FeedException("too_large", "body passed " + cap + " bytes when decompressed");
            }
            return out;
        } finally {
            if (own != null) {
                own.end(); // InflaterInputStream does not end an Inflater it was given
            }
        }
    }

    private static boolean zlibHeader(byte[] b) {
        return b.length >= 2 && (b[0] & 0x0F) == 8 && (((b[0] & 0xFF) << 8) | (b[1] & 0xFF)) % 31 == 0;
    }

    private String readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(config.maxBodyBytes() + 1);
        if (bytes.length > config.maxBodyBytes()) {
            throw new FeedException("too_large", "snapshot larger than " + config.maxBodyBytes() + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private interface IoSupplier {
        String get() throws IOException;
    }

    private static Uni<String> blocking(IoSupplier s) {
        return Uni.createFrom().item(() -> {
            try {
                return s.get();
            } catch (IOException e) {
                throw new FeedException("io", e.getMessage(), e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
