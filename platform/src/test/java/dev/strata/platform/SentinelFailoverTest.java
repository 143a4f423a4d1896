package dev.strata.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.security.SessionRecord;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.security.SessionTokens;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.EmbeddedSentinel;
import dev.strata.testing.StrataSentinelResource;

/**
 * The platform against a real Redis Sentinel setup (master, replica, three sentinels), configured by nothing but
 * {@code quarkus.redis.client-type=sentinel}, master name and sentinel URIs, as a service's own ACL user. First the
 * master is demoted while alive (SENTINEL FAILOVER), then the new master is crashed (SIGKILL), each while several
 * threads keep sending authenticated, rate-limited, invalid-token and forged-session requests:
 * every request is answered within its deadline, errors are 503 problems confined to the failover window (at most
 * 10 s), no request with an invalid or forged session is ever admitted, and sessions and rate limits work on the
 * promoted replica afterwards.
 */
@QuarkusTest
@WithTestResource(value = StrataSentinelResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = "service", value = "auth-service"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelFailoverTest {

    private static final int LIMIT = 37;
    private static final Duration REQUEST_DEADLINE = Duration.ofSeconds(5);
    private static final long MAX_WINDOW_MS = 10_000;
    private static final String DEPENDENCY_DOWN = "https://strata.dev/problems/dependency-unavailable";

    enum Kind { SESSION, LIMITED, INVALID, FORGED }

    /** One answered (or timed-out: status -1) request; times in ms since the load started. */
    record Call(Kind kind, long startMs, long endMs, int status, String contentType, String body) {
        boolean error() {
            return status != 200 && status != 401 && status != 429;
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    SessionStore store;

    /** What happened under load around one disruption; times in ms since the load started. */
    record Outcome(List<Call> calls, long disruptedMs, int oldMaster, int newMaster) {
        List<Call> errors() {
            return calls.stream().filter(Call::error).toList();
        }

        long lastErrorMs() {
            return errors().stream().mapToLong(Call::endMs).max().orElse(-1);
        }
    }

    interface Disruption {
        int apply(EmbeddedSentinel sentinel) throws Exception;
    }

    @Test
    @Order(1)
    void aDemotedMasterThatStaysAliveIsLeftBehind() throws Exception {
        // SENTINEL FAILOVER: the old master lives on as a read-only replica; writes (the rate limiter's script) must
        // move to the new master, not fail with READONLY on pooled connections
        Outcome o = underLoad("manual failover", s -> {
            int old = s.masterPort();
            s.failover();
            return old;
        });
        assertFailedOverCleanly(o);
        assertLimiterCountsExactly();
        // the old master is back as an in-sync replica: the next test may crash the new one
        StrataSentinelResource.sentinel().awaitHealthy(Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void sessionsAndRateLimitsSurviveAMasterCrashUnderLoad() throws Exception {
        Outcome o = underLoad("master crash (SIGKILL)", EmbeddedSentinel::killMaster);
        assertTrue(!o.errors().isEmpty(), "a crash is noticed (fail closed), not hidden");
        assertFailedOverCleanly(o);
        // after failover: a new session works, and a limit counts exactly on the new master
        TestSessions.Minted fresh = TestSessions.mint(store, "user");
        assertEquals(200, send(http(), "/api/probes/me", "Authorization", "Bearer " + fresh.token()).statusCode());
        assertLimiterCountsExactly();
    }

    /**
     * Runs authenticated, rate-limited, invalid-token and forged-session requests from several threads, applies
     * {@code disruption} after 2 s and keeps the load on until the sentinels name a new master and the service has
     * answered without error for 3 s (at most 20 s after the disruption).
     */
    private Outcome underLoad(String what, Disruption disruption) throws Exception {
        EmbeddedSentinel sentinel = StrataSentinelResource.sentinel();
        List<TestSessions.Minted> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(TestSessions.mint(store, "user"));
        }
        // a record nobody signed (someone with write access to Redis): refused before, during and after failover
        String forgedToken = SessionTokens.newToken();
        Instant now = Instant.now();
        store.save(SessionTokens.hash(forgedToken), new SessionRecord(UUID.randomUUID().toString(),
                UUID.randomUUID().toString(), "mallory@example.com", Set.of("admin"), now, now.plusSeconds(3600), now,
                600)).await().atMost(Duration.ofSeconds(5));
        // let the replica receive what was written (replication is asynchronous)
        Thread.sleep(300);

        HttpClient http = http();
        ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        AtomicLong stopAtMs = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger ipSeq = new AtomicInteger();
        List<Kind> workers = List.of(Kind.SESSION, Kind.SESSION, Kind.SESSION, Kind.LIMITED, Kind.LIMITED,
                Kind.INVALID, Kind.FORGED);
        ExecutorService pool = Executors.newFixedThreadPool(workers.size());
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < workers.size(); w++) {
            Kind kind = workers.get(w);
            String token = switch (kind) {
                case SESSION -> sessions.get(w % sessions.size()).token();
                case FORGED -> forgedToken;
                default -> null;
            };
            running.add(pool.submit(() -> {
                while (ms(t0) < stopAtMs.get()) {
                    HttpRequest.Builder b = HttpRequest.newBuilder().timeout(REQUEST_DEADLINE).GET();
                    switch (kind) {
                        case SESSION, FORGED -> b.uri(uri("/api/probes/me")).header("Authorization", "Bearer " + token);
                        // unknown but well-formed: reaches Redis, so it is asked during the outage too
                        case INVALID -> b.uri(uri("/api/probes/me"))
                                .header("Authorization", "Bearer " + SessionTokens.newToken());
                        // a fresh client address per request: every answer should be 200 while the limiter works
                        case LIMITED -> {
                            int n = ipSeq.getAndIncrement();
                            b.uri(uri("/api/probes/limited"))
                                    .header("X-Forwarded-For", "198.18." + (n / 250 % 250) + "." + (n % 250 + 1));
                        }
                    }
                    long start = ms(t0);
                    try {
                        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                        calls.add(new Call(kind, start, ms(t0), r.statusCode(),
                                r.headers().firstValue("Content-Type").orElse(""), r.body()));
                    } catch (HttpTimeoutException e) {
                        calls.add(new Call(kind, start, ms(t0), -1, "", "timed out"));
                    } catch (IOException e) {
                        calls.add(new Call(kind, start, ms(t0), -2, "", String.valueOf(e)));
                    }
                }
                return null;
            }));
        }

        Thread.sleep(2000);
        long disruptedMs = ms(t0);
        int oldMaster = disruption.apply(sentinel);
        long hardStop = disruptedMs + 20_000;
        int newMaster = oldMaster;
        while (ms(t0) < hardStop) {
            newMaster = currentMaster(sentinel, oldMaster);
            long lastError = calls.stream().filter(Call::error).mapToLong(Call::endMs).max().orElse(disruptedMs);
            if (newMaster != oldMaster && ms(t0) > Math.max(lastError, disruptedMs) + 3000) {
                break;
            }
            Thread.sleep(100);
        }
        stopAtMs.set(0);
        for (Future<?> f : running) {
            f.get(REQUEST_DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
        }
        pool.shutdownNow();

        Outcome o = new Outcome(calls.stream().sorted(Comparator.comparingLong(Call::endMs)).toList(), disruptedMs,
                oldMaster, newMaster);
        List<Call> errors = o.errors();
        long firstError = errors.isEmpty() ? -1 : errors.get(0).endMs();
        long firstSuccessAfter = firstSuccessAfter(o, firstError < 0 ? disruptedMs : firstError);
        System.out.printf("sentinel %s: %d requests (%d errors); disruption at %d ms; first error +%d ms, last error "
                + "+%d ms, first success after the first error +%d ms: window %d ms; master %d -> %d%n", what,
                o.calls().size(), errors.size(), disruptedMs, firstError < 0 ? -1 : firstError - disruptedMs,
                errors.isEmpty() ? -1 : o.lastErrorMs() - disruptedMs, firstSuccessAfter - disruptedMs,
                firstError < 0 ? 0 : firstSuccessAfter - firstError, oldMaster, newMaster);
        return o;
    }

    private static void assertFailedOverCleanly(Outcome o) {
        List<Call> all = o.calls();
        List<Call> errors = o.errors();
        assertNotEquals(o.oldMaster(), o.newMaster(), "the sentinels promoted the replica");
        // never admitted without a valid session, whatever Redis was doing
        for (Call c : all) {
            if (c.kind() == Kind.INVALID || c.kind() == Kind.FORGED) {
                assertNotEquals(200, c.status(), "admitted without a valid session: " + c);
            }
        }
        for (Call c : errors) {
            // bounded: every request answered (no client-side deadline hit, no broken connection)
            assertTrue(c.status() > 0, "request not answered in time: " + c);
            assertEquals(503, c.status(), "errors are 503 problems: " + c);
            assertTrue(c.contentType().startsWith("application/problem+json") && c.body().contains(DEPENDENCY_DOWN),
                    "a dependency-unavailable problem: " + c);
            // only around the disruption: none before it, none later than the failover window allows
            assertTrue(c.startMs() >= o.disruptedMs() - 50 && c.endMs() <= o.disruptedMs() + MAX_WINDOW_MS,
                    "error outside the failover window (disruption at " + o.disruptedMs() + " ms): " + c);
        }
        if (!errors.isEmpty()) {
            long firstError = errors.get(0).endMs();
            long firstSuccessAfter = firstSuccessAfter(o, firstError);
            assertTrue(firstSuccessAfter > 0, "the service recovered");
            assertTrue(firstSuccessAfter - firstError <= MAX_WINDOW_MS,
                    "failover window " + (firstSuccessAfter - firstError) + " ms");
        }
        // valid sessions were admitted before and after; the limiter answered 200 for fresh clients afterwards
        assertTrue(all.stream().anyMatch(c -> c.kind() == Kind.SESSION && c.status() == 200 && c.endMs() < o.disruptedMs()));
        long settled = Math.max(o.lastErrorMs(), o.disruptedMs());
        List<Call> after = all.stream().filter(c -> c.startMs() > settled).toList();
        assertTrue(after.stream().anyMatch(c -> c.kind() == Kind.SESSION)
                && after.stream().filter(c -> c.kind() == Kind.SESSION).allMatch(c -> c.status() == 200),
                "sessions minted before the failover work on the promoted replica");
        assertTrue(after.stream().anyMatch(c -> c.kind() == Kind.LIMITED)
                && after.stream().filter(c -> c.kind() == Kind.LIMITED).allMatch(c -> c.status() == 200),
                "the rate limiter answers after failover");
    }

    /** A fresh client gets exactly the limit admitted: the limiter counts (writes) on the new master. */
    private void assertLimiterCountsExactly() throws Exception {
        HttpClient http = http();
        String clientIp = "203.0.113." + (int) (Math.random() * 250 + 1);
        int admitted = 0;
        int limited = 0;
        for (int i = 0; i < LIMIT + 3; i++) {
            int status = send(http, "/api/probes/limited", "X-Forwarded-For", "192.0.2.1, " + clientIp).statusCode();
            admitted += status == 200 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        assertEquals(LIMIT, admitted, "admitted after failover");
        assertEquals(3, limited, "limited after failover");
    }

    private static long firstSuccessAfter(Outcome o, long afterMs) {
        return o.calls().stream()
                .filter(c -> c.status() == 200 && (c.kind() == Kind.SESSION || c.kind() == Kind.LIMITED))
                .filter(c -> c.startMs() > afterMs).mapToLong(Call::endMs).min().orElse(-1);
    }

    private static int currentMaster(EmbeddedSentinel sentinel, int fallback) {
        try {
            return sentinel.masterPort();
        } catch (IOException e) {
            return fallback;
        }
    }

    private static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(8))
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    private HttpResponse<String> send(HttpClient http, String path, String header, String value) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_DEADLINE).header(header, value).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
