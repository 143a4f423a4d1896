package dev.strata.rates;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.rates.FeedServer.Mode;
import dev.strata.rates.domain.RateSnapshot;
import dev.strata.rates.provider.EcbProvider;
import dev.strata.rates.provider.ErApiProvider;
import dev.strata.rates.provider.FeedException;
import dev.strata.rates.provider.RateProvider;
import dev.strata.testing.StrataServersResource;

/** Both providers against real-format fixtures served over HTTP: exact parsing, and every kind of bad answer. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = FeedServerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ProvidersTest extends RatesTestBase {

    /** strata.rates.providers.max-body-bytes (the default) */
    static final long MAX_BODY = 2 * 1024 * 1024;

    @Inject
    EcbProvider ecb;

    @Inject
    ErApiProvider erApi;

    @Inject
    MeterRegistry registry;

    @Test
    void ecbFixtureParsesToTheExactRates() {
        RateSnapshot s = ecb.fetch().await().atMost(WAIT);
        assertEquals("ecb", s.provider());
        assertEquals("EUR", s.base());
        // 2025-11-21 16:00 CET
        assertEquals(Instant.parse("2025-11-21T15:00:00Z"), s.effectiveAt());
        assertNull(s.nextUpdate());
        assertEquals(30, s.rates().size());
        assertEquals(new BigDecimal("1.1512"), s.rates().get("USD"));
        assertEquals(new BigDecimal("180.47"), s.rates().get("JPY"));
        assertEquals(new BigDecimal("0.87735"), s.rates().get("GBP"));
        assertEquals(new BigDecimal("19264.56"), s.rates().get("IDR"));
        assertEquals(new BigDecimal("147.20"), s.rates().get("ISK"));
        assertFalse(s.rates().containsKey("EUR"));
        assertEquals(1, FeedServer.get().hits(FeedServer.ECB));
    }

    @Test
    void erApiFixtureParsesToTheExactRates() {
        RateSnapshot s = erApi.fetch().await().atMost(WAIT);
        assertEquals("er-api", s.provider());
        assertEquals("USD", s.base());
        assertEquals(Instant.ofEpochSecond(1763683351L), s.effectiveAt());
        assertEquals(Instant.ofEpochSecond(1763770661L), s.nextUpdate());
        assertEquals(new BigDecimal("0.868611"), s.rates().get("EUR"));
        assertEquals(new BigDecimal("0.306825"), s.rates().get("KWD"));
        assertEquals(new BigDecimal("156.789412"), s.rates().get("JPY"));
        assertEquals(new BigDecimal("3.75"), s.rates().get("SAR"));
        assertEquals(0, new BigDecimal("0.000246").compareTo(s.rates().get("XAU")));
        assertFalse(s.rates().containsKey("USD"), "the base itself is not a quote");
        assertEquals(13, s.rates().size());
    }

    @Test
    void badEcbAnswersAreRejectedWithAReason() {
        assertFailure(ecb, Mode.TRUNCATED, "garbage");
        assertFailure(ecb, Mode.NEGATIVE, "garbage");
        assertFailure(ecb, Mode.XXE, "garbage");
        assertFailure(ecb, Mode.TOO_MANY, "http_429");
        assertFailure(ecb, Mode.DOWN, "http_5xx");
    }

    @Test
    void badErApiAnswersAreRejectedWithAReason() {
        assertFailure(erApi, Mode.TRUNCATED, "garbage");
        assertFailure(erApi, Mode.WRONG_BASE, "garbage");
        assertFailure(erApi, Mode.ERROR_RESULT, "garbage");
        assertFailure(erApi, Mode.ZERO, "garbage");
        assertFailure(erApi, Mode.TOO_MANY, "http_429");
    }

    @Test
    void aSlowProviderTimesOut() {
        // the request timeout is 2 s in tests; the fixture answers after 5 s
        assertFailure(ecb, Mode.SLOW, "timeout");
    }

    @Test
    void xmlEntitiesAreNeverResolved() {
        FeedException e = assertThrows(FeedException.class,
                () -> EcbProvider.parse(new String(FeedServer.fixture("ecb-xxe.xml"))));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @Test
    void aFailingProviderChangesNothingAndIsCounted() throws Exception {
        refreshNow();
        String before = string("SELECT string_agg(base||quote||rate||provider||fetched_at, ',' ORDER BY base, quote)"
                + " FROM rates.exchange_rates");
        long history = count("SELECT count(*) FROM rates.exchange_rate_history");
        double garbageBefore = failures("ecb", "garbage");
        double tooManyBefore = failures("er-api", "http_429");

        FeedServer.get().mode(FeedServer.ECB, Mode.NEGATIVE);
        FeedServer.get().mode(FeedServer.ER_API, Mode.TOO_MANY);
        var report = refreshNow();

        assertEquals(0, report.written());
        assertEquals(List.of("failed", "failed"), report.providers().stream().map(p -> p.status()).toList());
        assertEquals(before, string("SELECT string_agg(base||quote||rate||provider||fetched_at, ','"
                + " ORDER BY base, quote) FROM rates.exchange_rates"));
        assertEquals(history, count("SELECT count(*) FROM rates.exchange_rate_history"));
        assertEquals(garbageBefore + 1, failures("ecb", "garbage"));
        assertEquals(tooManyBefore + 1, failures("er-api", "http_429"));
    }

    @Test
    void gzipAndDeflateFeedsAreDecoded() {
        FeedServer.get().mode(FeedServer.ECB, Mode.GZIP);
        assertEquals(new BigDecimal("1.1512"), ecb.fetch().await().atMost(WAIT).rates().get("USD"));
        FeedServer.get().mode(FeedServer.ECB, Mode.DEFLATE);
        assertEquals(new BigDecimal("180.47"), ecb.fetch().await().atMost(WAIT).rates().get("JPY"));
        FeedServer.get().mode(FeedServer.ER_API, Mode.GZIP);
        assertEquals(new BigDecimal("0.306825"), erApi.fetch().await().atMost(WAIT).rates().get("KWD"));
    }

    @Test
    void anEndlessBodyIsCutOffAtTheCapWhileStreaming() {
        // 64 MB offered in chunks, no Content-Length: the download must stop soon after the 2 MB cap
        assertFailure(ecb, Mode.OVERSIZED, "too_large");
        long sent = FeedServer.get().bytesSent(FeedServer.ECB, 1, 10_000);
        assertTrue(sent > MAX_BODY, "the server got past the cap before the client hung up: " + sent);
        // the cap plus what the two sockets' buffers hold; reading it all would be 64 MB
        assertTrue(sent < 16L << 20, "the client read " + sent + " bytes of an endless body");
    }

    @Test
    void aGzipBombIsRefusedWithoutInflatingIt() throws Exception {
        byte[] bomb = FeedServer.bomb(); // built before measuring
        assertTrue(bomb.length < MAX_BODY, "compressed, the bomb is under the cap: " + bomb.length);
        long before = allocatedBytes();
        assertFailure(ecb, Mode.GZIP_BOMB, "too_large");
        long allocated = allocatedBytes() - before;
        // 256 MB inflated would allocate at least that much; the bounded inflation stops after 2 MB
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes refusing a gzip bomb");
        assertFailure(erApi, Mode.GZIP_BOMB, "too_large");
    }

    @Test
    void oversizedFeedsFailTheRefreshCleanlyAndKeepTheRates() throws Exception {
        FeedServer.bomb();
        refreshNow();
        String before = string("SELECT string_agg(base||quote||rate||provider||fetched_at, ',' ORDER BY base, quote)"
                + " FROM rates.exchange_rates");
        long history = count("SELECT count(*) FROM rates.exchange_rate_history");
        double ecbBefore = failures("ecb", "too_large");
        double erBefore = failures("er-api", "too_large");

        FeedServer.get().mode(FeedServer.ECB, Mode.OVERSIZED);
        FeedServer.get().mode(FeedServer.ER_API, Mode.GZIP_BOMB);
        var report = refreshNow();

        assertEquals(0, report.written());
        assertEquals(List.of("failed:too_large", "failed:too_large"),
                report.providers().stream().map(p -> p.status() + ":" + p.detail()).toList());
        assertEquals(before, string("SELECT string_agg(base||quote||rate||provider||fetched_at, ','"
                + " ORDER BY base, quote) FROM rates.exchange_rates"));
        assertEquals(history, count("SELECT count(*) FROM rates.exchange_rate_history"));
        assertEquals(ecbBefore + 1, failures("ecb", "too_large"));
        assertEquals(erBefore + 1, failures("er-api", "too_large"));
        // the service is fine afterwards: the kept rates are served, and a good feed is read again
        given().get("/api/rates/EUR/USD").then().statusCode(200).body("rate", equalTo("1.151200000000000000"));
        FeedServer.get().reset();
        assertEquals(RefreshTest.PAIRS, refreshNow().written());
    }

    /** Heap allocated so far by every live thread (the event loops doing the download included). */
    private static long allocatedBytes() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long a : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            sum += Math.max(0, a);
        }
        return sum;
    }

    private double failures(String provider, String reason) {
        var c = registry.find("rates_provider_failures").tag("provider", provider).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private void assertFailure(RateProvider p, Mode mode, String reason) {
        FeedServer.get().mode(p == ecb ? FeedServer.ECB : FeedServer.ER_API, mode);
        Throwable t = assertThrows(Throwable.class, () -> p.fetch().await().atMost(WAIT), mode.name());
        FeedException e = assertInstanceOf(FeedException.class, t, mode + ": " + t);
        assertEquals(reason, e.reason(), mode + ": " + e.getMessage());
    }
}
