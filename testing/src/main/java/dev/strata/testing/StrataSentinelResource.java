package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource: the shared PostgreSQL and S3, but Redis as a Sentinel setup of the test's own
 * ({@link EmbeddedSentinel}: master, replica, three sentinels), which the test may crash ({@link #sentinel()}). The
 * service gets nothing but Sentinel-mode configuration ({@code quarkus.redis.client-type=sentinel}, master name,
 * sentinel URIs), as its own ACL user: init argument {@code service}, else the system property {@code strata.service},
 * else the default user. Use it with {@code @WithTestResource(value = StrataSentinelResource.class, scope =
 * TestResourceScope.RESTRICTED_TO_CLASS)}.
 */
public class StrataSentinelResource implements QuarkusTestResourceLifecycleManager {

    private static volatile EmbeddedSentinel sentinel;
    private String service = System.getProperty("strata.service");

    /** The running setup of the current test class. */
    public static EmbeddedSentinel sentinel() {
        EmbeddedSentinel s = sentinel;
        if (s == null) {
            throw new IllegalStateException("StrataSentinelResource is not started");
        }
        return s;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        if (initArgs.containsKey("service")) {
            service = initArgs.get("service");
        }
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(StrataServers.shared().quarkusConfig());
        try {
            EmbeddedSentinel s = new EmbeddedSentinel(Files.createTempDirectory("strata-sentinel-"),
                    UUID.randomUUID().toString(), false);
            s.start();
            sentinel = s;
            config.putAll(s.quarkusConfig(service));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    @Override
    public void stop() {
        EmbeddedSentinel s = sentinel;
        if (s != null) {
            s.stop();
            sentinel = null;
            try {
                Binaries.deleteTree(s.home());
            } catch (IOException ignored) {
                // a temp dir: tmp cleaners get it
            }
        }
    }
}
