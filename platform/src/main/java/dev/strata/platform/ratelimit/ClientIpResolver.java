package dev.strata.platform.ratelimit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.http.HttpServerRequest;

/**
 * The client address as far as we can trust it: {@code X-Forwarded-For} is read only when the direct peer is
 * a configured trusted proxy, and then the rightmost address that is not itself a trusted proxy wins (anything
 * left of it could have been written by the client).
 */
@ApplicationScoped
public class ClientIpResolver {

    private final List<Cidr> trusted;

    public ClientIpResolver(@ConfigProperty(name = "strata.http.trusted-proxies") Optional<List<String>> trusted) {
        List<Cidr> list = new ArrayList<>();
        trusted.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).map(Cidr::parse)
                .forEach(list::add);
        this.trusted = List.copyOf(list);
    }

    public String resolve(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        return resolve(peer, request.headers().getAll("X-Forwarded-For"));
    }

    String resolve(String peer, List<String> forwardedFor) {
        if (!isTrusted(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String part : header.split(",")) {
                if (!part.isBlank()) {
                    hops.add(part.trim());
                }
            }
        }
        String candidate = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            candidate = hops.get(i);
            if (!isTrusted(candidate)) {
                return candidate;
            }
        }
        return candidate;
    }

    /**
     * The address a per-IP limit counts: IPv4 as is, IPv6 by its /64, since one subscriber usually holds a whole
     * /64 and could otherwise pick a fresh address for every request.
     */
    public static String limitKey(String ip) {
        byte[] b = Cidr.literal(ip);
        if (b == null) {
            return ip;
        }
        if (b.length == 4) {
            // also what an IPv4-mapped IPv6 literal parses to
            return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
        }
        // an IPv4-mapped IPv6 address is the IPv4 client it wraps
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        if (mapped && b[10] == (byte) 0xFF && b[11] == (byte) 0xFF) {
            return (b[12] & 0xFF) + "." + (b[13] & 0xFF) + "." + (b[14] & 0xFF) + "." + (b[15] & 0xFF);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            sb.append(Integer.toHexString(((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF))).append(':');
        }
        return sb.append(":/64").toString();
    }

    private boolean isTrusted(String address) {
        if (trusted.isEmpty()) {
            return false;
        }
        byte[] bytes = Cidr.literal(address);
        return bytes != null && trusted.stream().anyMatch(c -> c.contains(bytes));
    }

    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String spec) {
            String[] parts = spec.split("/", 2);
            byte[] net = literal(parts[0]);
            if (net == null) {
                throw new IllegalArgumentException("strata.http.trusted-proxies: not an IP address: " + spec);
            }
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : net.length * 8;
            return new Cidr(net, prefix);
        }

        /** Parses IP literals only (never a DNS lookup); null for anything else. */
        static byte[] literal(String s) {
            if (s == null || s.isEmpty() || !(s.indexOf(':') >= 0 || s.matches("[0-9.]+"))) {
                return null;
            }
            try {
                String v = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
                return InetAddress.getByName(v).getAddress();
            } catch (UnknownHostException e) {
                return null;
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
