package dev.strata.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.strata.settings.service.UrlGuard;
import dev.strata.settings.service.WebhookSigner;

/** Plain unit tests (no Quarkus): the address rules and the Standard Webhooks signature. */
class WebhookUnitTest {

    @Test
    void internalAddressesAreBlockedPublicOnesAreNot() throws Exception {
        for (String a : List.of("127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1",
                "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1",
                "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                "::ffff:127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1")) {
            assertTrue(UrlGuard.isBlocked(InetAddress.getByName(a)), a);
        }
        for (String a : List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111",
                "::ffff:8.8.8.8")) {
            assertFalse(UrlGuard.isBlocked(InetAddress.getByName(a)), a);
        }
    }

    @Test
    void theStandardWebhooksReferenceVectorVerifies() {
        // the example of the Standard Webhooks specification / reference libraries
        String sig = WebhookSigner.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig);
        String two = WebhookSigner.header("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", WebhookSigner.newSecret(), "m", 1,
                new byte[0]);
        assertEquals(2, two.split(" ").length);
    }

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        assertEquals(Duration.ofSeconds(1), dev.strata.settings.service.WebhookDispatcherAccess.retryAfter("1"));
        Duration d = dev.strata.settings.service.WebhookDispatcherAccess.retryAfter(
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30)));
        assertTrue(d.getSeconds() >= 28 && d.getSeconds() <= 30, d.toString());
        assertNull(dev.strata.settings.service.WebhookDispatcherAccess.retryAfter("soon"));
    }
}
