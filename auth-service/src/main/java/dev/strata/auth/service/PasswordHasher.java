package dev.strata.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.WorkerExecutor;

import dev.strata.auth.config.AuthConfig;

/**
 * argon2id (Bouncy Castle) with PHC-string encoding. Hashing is CPU- and memory-heavy by design, so it always
 * runs on a bounded worker pool of its own and completes back on the caller's context (Hibernate Reactive
 * needs that).
 */
@ApplicationScoped
public class PasswordHasher {

    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final SecureRandom random = new SecureRandom();
    private final AuthConfig.Argon2 params;
    private final WorkerExecutor workers;
    private final Timer timer;
    private volatile String dummy;

    public PasswordHasher(AuthConfig config, Vertx vertx, MeterRegistry metrics) {
        this.params = config.argon2();
        int threads = params.maxConcurrency().orElse(Runtime.getRuntime().availableProcessors());
        this.workers = vertx.createSharedWorkerExecutor("argon2", Math.max(1, threads));
        this.timer = Timer.builder("strata.auth.password.hash").description("argon2id hash/verify time")
                .publishPercentileHistogram().register(metrics);
    }

    public Uni<String> hash(String password) {
        return blocking(() -> hashNow(password));
    }

    /** Verifies against {@code phc}; a null hash is checked against a dummy so the time is the same. */
    public Uni<Boolean> verify(String password, String phc) {
        return blocking(() -> {
            if (phc == null) {
                verifyNow(password, dummyHash());
                return false;
            }
            return verifyNow(password, phc);
        });
    }

    /** True when {@code phc} was made with weaker parameters than the configured ones. */
    public boolean needsRehash(String phc) {
        Matcher m = phc == null ? null : PHC.matcher(phc);
        if (m == null || !m.matches()) {
            return true;
        }
        return Integer.parseInt(m.group(1)) < params.memoryKib() || Integer.parseInt(m.group(2)) < params.iterations()
                || Integer.parseInt(m.group(3)) < params.parallelism();
    }

    private <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        // unordered: independent sign-ins hash in parallel; the result comes back on the caller's context
        return workers.executeBlocking(Uni.createFrom().item(() -> {
            if (io.vertx.core.Context.isOnEventLoopThread()) {
                // a guard, not a fallback: 100 ms of argon2 on an event loop stalls every connection on it
                throw new IllegalStateException("argon2 must not run on an event loop thread");
            }
            return timer.record(work);
        }), false);
    }

    String hashNow(String password) {
        byte[] salt = new byte[params.saltBytes()];
        random.nextBytes(salt);
        byte[] out = derive(password, salt, params.memoryKib(), params.iterations(), params.parallelism(),
                params.hashBytes());
        return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p="
                + params.parallelism() + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    boolean verifyNow(String password, String phc) {
        Matcher m = PHC.matcher(phc);
        if (!m.matches()) {
            return false;
        }
        byte[] salt = B64D.decode(m.group(4));
        byte[] expected = B64D.decode(m.group(5));
        byte[] actual = derive(password, salt, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** At start-up, off the event loop: otherwise the first unknown e-mail would cost two hashes, not one. */
    void prepareDummy(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        dummyHash();
    }

    private String dummyHash() {
        String d = dummy;
        if (d == null) {
            // same parameters as real hashes, so an unknown e-mail costs what a wrong password costs
            d = hashNow("dummy password that matches nothing " + random.nextLong());
            dummy = d;
        }
        return d;
    }

    private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism,
            int length) {
        Argon2Parameters p = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(salt).withMemoryAsKB(memoryKib)
                .withIterations(iterations).withParallelism(parallelism).build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(p);
        byte[] out = new byte[length];
        gen.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
