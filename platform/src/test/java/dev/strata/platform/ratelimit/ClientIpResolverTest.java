package dev.strata.platform.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ClientIpResolverTest {

    private final ClientIpResolver resolver = new ClientIpResolver(Optional.of(List.of("10.0.0.0/8", "192.168.1.1")));

    @Test
    void untrustedPeerIsTheClientWhateverItForwards() {
        assertEquals("203.0.113.5", resolver.resolve("203.0.113.5", List.of("1.2.3.4")));
    }

    @Test
    void rightmostUntrustedHopWins() {
        assertEquals("198.51.100.1",
                resolver.resolve("10.1.2.3", List.of("6.6.6.6, 198.51.100.1, 10.0.0.7")));
        assertEquals("198.51.100.1", resolver.resolve("192.168.1.1", List.of("6.6.6.6", "198.51.100.1")));
    }

    @Test
    void onlyTrustedHopsMeansTheLeftmost() {
        assertEquals("10.0.0.1", resolver.resolve("10.1.2.3", List.of("10.0.0.1, 10.0.0.2")));
    }

    @Test
    void garbageHopsAreNotTrusted() {
        assertEquals("not-an-ip", resolver.resolve("10.1.2.3", List.of("1.1.1.1, not-an-ip")));
        assertEquals("192.168.1.2", resolver.resolve("192.168.1.2", List.of("1.1.1.1")));
    }

    @org.junit.jupiter.api.Test
    void ipv6ClientsAreLimitedByTheirSlash64() {
        org.junit.jupiter.api.Assertions.assertEquals("2001:db8:1:2::/64",
                ClientIpResolver.limitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        org.junit.jupiter.api.Assertions.assertEquals(ClientIpResolver.limitKey("2001:db8:1:2::1"),
                ClientIpResolver.limitKey("2001:db8:1:2:ffff::9"));
        org.junit.jupiter.api.Assertions.assertNotEquals(ClientIpResolver.limitKey("2001:db8:1:2::1"),
                ClientIpResolver.limitKey("2001:db8:1:3::1"));
        org.junit.jupiter.api.Assertions.assertEquals("203.0.113.7", ClientIpResolver.limitKey("203.0.113.7"));
        org.junit.jupiter.api.Assertions.assertEquals("203.0.113.7", ClientIpResolver.limitKey("::ffff:203.0.113.7"));
    }
}
