package dev.strata.rates.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;

import dev.strata.rates.config.RatesConfig;

/**
 * Downloads a feed body with bounded time and size. {@code classpath:} and {@code file:} URLs read a bundled or
 * local snapshot instead (on a worker thread), which is how the service runs offline.
 */
@ApplicationScoped
public class FeedFetcher {

    private final HttpClient client;
    private final RatesConfig.Providers config;

    public FeedFetcher(Vertx vertx, RatesConfig config) {
        this.config = config.providers();
        int connectMs = (int) this.config.connectTimeout().toMillis();
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(connectMs)
                .setKeepAlive(false).setMaxPoolSize(4).setTryUseCompression(true));
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
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                .setIdleTimeout(timeoutMs).putHeader("Accept", accept)
                .putHeader("User-Agent", "strata-rates-service");
        return client.request(options)
                .chain(req -> req.send())
                .chain(resp -> {
                    int status = resp.statusCode();
                    if (status != 200) {
                        String reason = status == 429 ? "http_429" : status >= 500 ? "http_5xx" : "http_status";
                        return resp.end().onFailure().recoverWithNull()
                                .chain(() -> Uni.createFrom().failure(new FeedException(reason, "HTTP " + status)));
                    }
                    String length = resp.getHeader("Content-Length");
                    if (length != null && length.matches("\\d{1,12}") && Long.parseLong(length) > config.maxBodyBytes()) {
                        return Uni.createFrom().failure(new FeedException("too_large", "body of " + length + " bytes"));
                    }
                    return resp.body();
                })
                .map(this::checkSize)
                .ifNoItem().after(config.requestTimeout()).failWith(() -> new FeedException("timeout",
                        "no complete answer within " + config.requestTimeout()))
                .onFailure(f -> !(f instanceof FeedException)).transform(f -> f instanceof TimeoutException
                        ? new FeedException("timeout", f.getMessage(), f)
                        : new FeedException("io", String.valueOf(f.getMessage()), f));
    }

    private String checkSize(Buffer b) {
        if (b.length() > config.maxBodyBytes()) {
            throw new FeedException("too_large", "body of " + b.length() + " bytes");
        }
        return b.toString("UTF-8");
    }

    private String readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(config.maxBodyBytes() + 1);
        if (bytes.length > config.maxBodyBytes()) {
            throw new FeedException("too_large", "snapshot larger than " + config.maxBodyBytes() + " bytes");
        }
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
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
