package dev.strata.local;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;

/**
 * One origin for a frontend on the local run: a reverse proxy (Vert.x {@code vertx-http-proxy}) routing the same
 * {@code /api/<prefix>} paths as the Ingress ({@code deploy/kubernetes/base/ingress.yaml}) to the services, with the
 * Ingress's body limits (nginx's 1 MiB default, 50 MiB for storage-gateway) and read timeouts (60 s, an hour for
 * settings-service's WebSocket). Anything else, {@code /internal/*} and {@code /q/*} included, is a 404 here.
 * The proxy sets {@code X-Forwarded-For} to the peer it saw (it is the edge) and {@code X-Forwarded-Proto}/{@code -Host};
 * the services trust those only from {@code strata.http.trusted-proxies} (the launcher sets 127.0.0.1). {@code Host}
 * passes through unchanged, so the services see the origin the browser used (WebSocket origin checks, cookies).
 */
final class LocalGateway {

    record Route(String prefix, String service, long maxBody, long readTimeoutMs) {

        /** Kubernetes {@code pathType: Prefix}: whole path elements, so {@code /api/users} is not {@code /api/usersx}. */
        boolean matches(String path) {
            return path.equals(prefix) || path.startsWith(prefix + "/");
        }
    }

    private static final long MIB = 1024 * 1024;
    private static final long DEFAULT_BODY = MIB; // ingress-nginx's proxy-body-size default
    private static final long DEFAULT_READ = TimeUnit.SECONDS.toMillis(60);
    private static final long PUSH_READ = TimeUnit.HOURS.toMillis(1);

    /** The Ingress's table, in its order. */
    static final List<Route> ROUTES = List.of(
            new Route("/api/users", "auth-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/sessions", "auth-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/auth", "auth-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/verifications", "auth-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/password-resets", "auth-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/accounts", "auth-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/admin", "auth-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/kyc", "kyc-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/settings", "settings-service", DEFAULT_BODY, PUSH_READ),
            new Route("/api/notification-settings", "settings-service", DEFAULT_BODY, PUSH_READ),
            new Route("/api/notifications", "settings-service", DEFAULT_BODY, PUSH_READ),
            new Route("/api/rates", "rates-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/currencies", "rates-service", DEFAULT_BODY, DEFAULT_READ),
            new Route("/api/uploads", "storage-gateway", 50 * MIB, DEFAULT_READ),
            new Route("/api/objects", "storage-gateway", 50 * MIB, DEFAULT_READ),
            new Route("/api/token-metadata", "storage-gateway", 50 * MIB, DEFAULT_READ));

    private final Vertx vertx;
    private final Map<String, Integer> ports;
    private HttpServer server;
    private HttpClient client;

    /** @param ports the running services' ports by name; a route to a service not running answers 503 */
    LocalGateway(Vertx vertx, Map<String, Integer> ports) {
        this.vertx = vertx;
        this.ports = Map.copyOf(ports);
    }

    static Optional<Route> route(String normalizedPath) {
        return ROUTES.stream().filter(r -> r.matches(normalizedPath)).findFirst();
    }

    Future<HttpServer> start(String host, int port) {
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setMaxPoolSize(64)
                .setKeepAlive(true));
        HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client);
        proxy.origin(this::originRequest);
        proxy.addInterceptor(new ProxyInterceptor() {
            @Override
            public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
                HttpServerRequest req = ctx.request().proxiedRequest();
                Route r = routeOf(req);
                // forward the normalized path (dot segments resolved), the one the route was chosen for
                ctx.request().setURI(normalizedUri(req));
                Body body = ctx.request().getBody();
                if (body != null && body.length() < 0 && r != null) {
                    // chunked: no length to check up front, so count while streaming
                    ctx.request().setBody(Body.body(new Limited(body.stream(), r.maxBody(), req), -1));
                }
                return ctx.sendRequest();
            }
        });
        // HTTP/1.1 like the Ingress on plain http (no h2c upgrade); bodies pass through as they are
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                .setHttp2ClearTextEnabled(false).setCompressionSupported(false));
        server.requestHandler(req -> handle(proxy, req));
        return server.listen();
    }

    private void handle(HttpProxy proxy, HttpServerRequest req) {
        String path = HttpUtils.normalizePath(req.path() == null ? "/" : req.path());
        if (path.equals("/healthz")) {
            req.response().putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("status", "UP").put("routes", ROUTES.size()).encode());
            return;
        }
        Optional<Route> route = route(path);
        if (route.isEmpty()) {
            problem(req, 404, "not-found", "Not found", "No API route for " + path
                    + " (the gateway routes /api/<prefix> paths only, like the Ingress)");
            return;
        }
        Route r = route.get();
        Integer port = ports.get(r.service());
        if (port == null) {
            problem(req, 503, "dependency-unavailable", "A dependency is unavailable",
                    r.service() + " is not running in this local stack (see --only)");
            return;
        }
        String length = req.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > r.maxBody()) {
                    problem(req, 413, "payload-too-large", "Payload too large",
                            "The gateway accepts at most " + r.maxBody() + " bytes on " + r.prefix());
                    return;
                }
            } catch (NumberFormatException e) {
                problem(req, 400, "bad-request", "Bad request", "Content-Length is not a number");
                return;
            }
        }
        forwardedHeaders(req);
        proxy.handle(req);
    }

    /**
     * The gateway is the edge of the local run (nothing trusted stands in front of it), so {@code X-Forwarded-For}
     * is the address it saw, never what the client wrote: a client on loopback (itself a trusted proxy address
     * here) cannot pick the address its rate limits count. {@code X-Forwarded-Proto}/{@code -Host} likewise.
     */
    static void forwardedHeaders(HttpServerRequest req) {
        MultiMap h = req.headers();
        h.remove("X-Forwarded-For");
        h.remove("Forwarded");
        h.remove("X-Real-IP");
        if (req.remoteAddress() != null && req.remoteAddress().hostAddress() != null) {
            h.set("X-Forwarded-For", req.remoteAddress().hostAddress());
        }
        h.set("X-Forwarded-Proto", "http");
        HostAndPort authority = req.authority();
        if (authority != null) {
            h.set("X-Forwarded-Host", authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port());
        } else {
            h.remove("X-Forwarded-Host");
        }
    }

    private Future<io.vertx.core.http.HttpClientRequest> originRequest(ProxyContext ctx) {
        HttpServerRequest req = ctx.request().proxiedRequest();
        Route r = routeOf(req);
        int port = ports.get(r.service());
        RequestOptions options = new RequestOptions().setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
                .setIdleTimeout(r.readTimeoutMs());
        // the WebSocket path of the proxy builds the Host header from these: the one the client used
        HostAndPort authority = req.authority();
        if (authority != null) {
            options.setHost(authority.host()).setPort(authority.port() < 0 ? 80 : authority.port());
        } else {
            options.setHost("127.0.0.1").setPort(port);
        }
        return ctx.client().request(options);
    }

    /** Only called for requests {@link #handle} let through, so there is a route. */
    private static Route routeOf(HttpServerRequest req) {
        return route(HttpUtils.normalizePath(req.path() == null ? "/" : req.path())).orElseThrow();
    }

    private static String normalizedUri(HttpServerRequest req) {
        String path = HttpUtils.normalizePath(req.path() == null ? "/" : req.path());
        String query = req.query();
        return query == null ? path : path + "?" + query;
    }

    private static void problem(HttpServerRequest req, int status, String slug, String title, String detail) {
        String body = new JsonObject().put("type", "https://strata.dev/problems/" + slug).put("title", title)
                .put("status", status).put("detail", detail).put("instance", req.path()).encode();
        // an unread request body must not be taken for the next request on this connection
        if (status == 413) {
            req.response().putHeader("Connection", "close");
        }
        req.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(body);
    }

    Future<Void> stop() {
        Future<Void> s = server == null ? Future.succeededFuture() : server.close();
        return s.eventually(v -> client == null ? Future.succeededFuture() : client.close());
    }

    int actualPort() {
        return server.actualPort();
    }

    /** A request body stream that ends the exchange once more than {@code max} bytes arrived. */
    private static final class Limited implements ReadStream<Buffer> {
        private final ReadStream<Buffer> in;
        private final long max;
        private final HttpServerRequest req;
        private long seen;

        Limited(ReadStream<Buffer> in, long max, HttpServerRequest req) {
            this.in = in;
            this.max = max;
            this.req = req;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            in.exceptionHandler(handler);
            return this;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            if (handler == null) {
                in.handler(null);
                return this;
            }
            in.handler(buf -> {
                seen += buf.length();
                if (seen > max) {
                    in.handler(null);
                    if (!req.response().headWritten()) {
                        problem(req, 413, "payload-too-large", "Payload too large",
                                "The gateway accepts at most " + max + " bytes here");
                    }
                    req.connection().close();
                    return;
                }
                handler.handle(buf);
            });
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            in.pause();
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            in.resume();
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            in.fetch(amount);
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            in.endHandler(endHandler);
            return this;
        }
    }
}
