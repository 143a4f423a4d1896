package dev.strata.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource: real PostgreSQL, Redis and S3 (embedded unless environment variables name external
 * ones) shared by all tests of the JVM. Use it with {@code @QuarkusTestResource(StrataServersResource.class)}.
 */
public class StrataServersResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return StrataServers.shared().quarkusConfig();
    }

    @Override
    public void stop() {
        // the servers outlive one Quarkus application: they stop with the JVM (shutdown hook + watchdogs)
    }
}
