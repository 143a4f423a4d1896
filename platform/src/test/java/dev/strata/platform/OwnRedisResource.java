package dev.strata.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.strata.testing.EmbeddedRedis;
import dev.strata.testing.Ports;
import dev.strata.testing.StrataServers;

/**
 * The shared servers, but a Redis of the test's own, which the test may stop and start: the outage test runs the
 * same way whether the shared Redis is embedded or external (it is never skipped, and never stops a Redis that
 * other tests or people use).
 */
public class OwnRedisResource implements QuarkusTestResourceLifecycleManager {

    static volatile EmbeddedRedis redis;

    @Override
    public Map<String, String> start() {
        try {
            redis = new EmbeddedRedis(Files.createTempDirectory("strata-own-redis"), Ports.free(), false,
                    UUID.randomUUID().toString());
            redis.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>(StrataServers.shared().quarkusConfig());
        config.put("quarkus.redis.hosts", redis.url());
        return config;
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.stop();
        }
    }
}
