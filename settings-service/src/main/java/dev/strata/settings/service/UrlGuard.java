package dev.strata.settings.service;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

import dev.strata.platform.problem.ProblemException;
import dev.strata.settings.config.WebhookConfig;

/**
 * SSRF protection for webhook URLs: a user must not make this service call into our own network (databases,
 * the cloud metadata endpoint, other services). Checked when a URL is registered and again before every attempt,
 * on every address the name resolves to; the sender then connects to the vetted address itself, so a second DNS
 * answer (rebinding) cannot redirect it.
 */
@ApplicationScoped
public class UrlGuard {

    public static final int MAX_LENGTH = 2048;

    /** A syntactically acceptable URL, split into what the sender needs. */
    public record Target(URI uri, String host, int port, boolean https, boolean allowListed, String pathAndQuery) {
    }

    /** The URL's host resolves (also) to an address we never call. */
    public static final class BlockedException extends RuntimeException {
        public BlockedException(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final WebhookConfig config;
    private final Set<String> allowList;

    public UrlGuard(Vertx vertx, WebhookConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.allowList = config.allowedHosts().orElse(List.of()).stream().map(String::trim)
                .filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** The syntax rules (scheme, userinfo, length, host); a violation is a 400 naming {@code url}. */
    public Target parse(String url) {
        if (url == null || url.isBlank()) {
            throw ProblemException.invalidField("url", "is required");
        }
        if (url.length() > MAX_LENGTH) {
            throw ProblemException.invalidField("url", "must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ProblemException.invalidField("url", "is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw ProblemException.invalidField("url", "must be an https URL");
        }
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            throw ProblemException.invalidField("url", "must not contain user information");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ProblemException.invalidField("url", "must be an absolute URL with a host name");
        }
        if (uri.getRawFragment() != null) {
            throw ProblemException.invalidField("url", "must not contain a fragment");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();
        boolean allowed = allowListed(host, port);
        if (!https && !allowed) {
            throw ProblemException.invalidField("url", "must be an https URL");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new Target(uri, host, port, https, allowed, pathAndQuery);
    }

    boolean allowListed(String host, int port) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return allowList.contains(host) || allowList.contains(h) || allowList.contains(h + ":" + port);
    }

    /**
     * The addresses to connect to: every address the host resolves to must be public, else a
     * {@link BlockedException}; an unknown host or a resolution past {@code dns-timeout} fails with
     * {@link UnknownHostException} / {@link TimeoutException}. Allow-listed hosts are not vetted (empty list:
     * connect by name).
     */
    public Uni<List<InetAddress>> vet(Target t) {
        if (t.allowListed()) {
            return Uni.createFrom().item(List.of());
        }
        // getAllByName blocks (the system resolver): on a worker thread, bounded
        return Uni.createFrom().completionStage(() -> vertx.getDelegate()
                .<List<InetAddress>>executeBlocking(() -> List.of(InetAddress.getAllByName(t.host())), false)
                .toCompletionStage())
                .ifNoItem().after(config.dnsTimeout()).failWith(TimeoutException::new)
                .map(addresses -> {
                    for (InetAddress a : addresses) {
                        if (isBlocked(a)) {
                            throw new BlockedException(t.host() + " resolves to a non-public address");
                        }
                    }
                    if (addresses.isEmpty()) {
                        throw new BlockedException(t.host() + " resolves to no address");
                    }
                    return addresses;
                });
    }

    /** Registration: the syntax rules, then the addresses; every refusal is a 400 naming {@code url}. */
    public Uni<Target> check(String url) {
        Target t = parse(url);
        return vet(t).map(a -> t).onFailure().transform(e -> {
            if (e instanceof BlockedException) {
                return ProblemException.invalidField("url", "must not point to a private, loopback, link-local"
                        + " or otherwise internal address");
            }
            if (e instanceof UnknownHostException || e instanceof TimeoutException) {
                return ProblemException.invalidField("url", "host name does not resolve");
            }
            return e;
        });
    }

    /** True for every address a webhook must never reach (see the README's SSRF rules). */
    public static boolean isBlocked(InetAddress a) {
        if (a instanceof Inet4Address) {
            return blockedV4(a.getAddress());
        }
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean first10Zero = true;
            for (int i = 0; i < 10; i++) {
                first10Zero &= b[i] == 0;
            }
            // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d (covers :: and ::1 too)
            if (first10Zero && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
                return blockedV4(new byte[] {b[12], b[13], b[14], b[15]}) || allZero(b);
            }
            // NAT64 64:ff9b::/96 embeds an IPv4 address
            if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
                return blockedV4(new byte[] {b[12], b[13], b[14], b[15]});
            }
            // 6to4 2002::/16 embeds one in bytes 2-5
            if (b[0] == 0x20 && b[1] == 0x02) {
                return blockedV4(new byte[] {b[2], b[3], b[4], b[5]});
            }
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return (b0 & 0xfe) == 0xfc // unique local fc00::/7
                    || (b0 == 0xfe && (b1 & 0xc0) == 0x80) // link-local fe80::/10
                    || (b0 == 0xfe && (b1 & 0xc0) == 0xc0) // site-local fec0::/10 (deprecated)
                    || b0 == 0xff // multicast
                    || (b0 == 0x20 && b1 == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) // documentation
                    || a.isLoopbackAddress() || a.isAnyLocalAddress();
        }
        return true;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean blockedV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        return a0 == 0 // "this network", 0.0.0.0
                || a0 == 10 // private
                || a0 == 127 // loopback
                || (a0 == 169 && a1 == 254) // link-local, cloud metadata 169.254.169.254
                || (a0 == 172 && (a1 & 0xf0) == 16) // private 172.16/12
                || (a0 == 192 && a1 == 168) // private
                || (a0 == 100 && (a1 & 0xc0) == 64) // CGNAT 100.64/10
                || (a0 == 192 && a1 == 0 && a2 == 0) // IETF protocol assignments
                || (a0 == 192 && a1 == 0 && a2 == 2) || (a0 == 198 && a1 == 51 && a2 == 100)
                || (a0 == 203 && a1 == 0 && a2 == 113) // documentation
                || (a0 == 198 && (a1 & 0xfe) == 18) // benchmarking 198.18/15
                || a0 >= 224; // multicast 224/4, reserved 240/4, broadcast
    }
}
