package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource: PostgreSQL, Redis and S3 of the test class's own, which it may stop, restart and freeze
 * ({@link EmbeddedServer#pause()}) without disturbing any other test. Durable, so a restart keeps what was
 * written: "no acknowledged write lost" is then a property of the service, not of the fixture. Init args are
 * added to the configuration (e.g. a short database timeout for a stall test).
 */
public class OwnStoresResource implements QuarkusTestResourceLifecycleManager {

    private static volatile StrataServers servers;
    private Map<String, String> extra = Map.of();

    @Override
    public void init(Map<String, String> initArgs) {
        extra = initArgs == null ? Map.of() : Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            StrataServers s = StrataServers.create(new StrataServers.Options(
                    Files.createTempDirectory("strata-own-stores-"), true, EmbeddedS3.Backend.FILESYSTEM, 0, 0, 0));
            s.start();
            servers = s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new LinkedHashMap<>(servers.quarkusConfig());
        config.putAll(extra);
        return config;
    }

    @Override
    public void stop() {
        if (servers != null) {
            servers.stop();
            servers = null;
        }
    }

    public static EmbeddedPostgres postgres() {
        return servers.embeddedPostgres().orElseThrow();
    }

    public static EmbeddedRedis redis() {
        return servers.embeddedRedis().orElseThrow();
    }

    public static EmbeddedS3 s3() {
        return servers.embeddedS3().orElseThrow();
    }
}
