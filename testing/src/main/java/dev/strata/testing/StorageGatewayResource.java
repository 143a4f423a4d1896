package dev.strata.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource: the shared real servers (as {@link StrataServersResource}) plus a real storage-gateway
 * process built in the same reactor, running against the same S3 and Redis. Hands the service under test
 * {@code strata.kyc.gateway.url} and {@code strata.kyc.gateway.token}. One gateway per test JVM; tests may stop and
 * start it through {@link #process()} to prove behaviour while it is down.
 */
public class StorageGatewayResource implements QuarkusTestResourceLifecycleManager {

    private static ServiceProcess gateway;
    private static String token;

    @Override
    public Map<String, String> start() {
        StrataServers servers = StrataServers.shared();
        ServiceProcess p = process();
        Map<String, String> config = new LinkedHashMap<>(servers.quarkusConfig());
        config.put("strata.kyc.gateway.url", p.url());
        config.put("strata.kyc.gateway.token", token);
        return config;
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; stopped by the shutdown hook
    }

    /** The gateway process (started on first use). */
    public static synchronized ServiceProcess process() {
        if (gateway == null) {
            StrataServers servers = StrataServers.shared();
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            token = HexFormat.of().formatHex(b);
            Map<String, String> env = new LinkedHashMap<>(servers.environment("storage-gateway"));
            // the credential of kyc-service, the caller the gateway lets use kyc-documents
            env.put("STRATA_INTERNAL_CALLERS_KYC", token);
            env.put("STRATA_STORAGE_PUBLIC_ENDPOINT", servers.s3Endpoint());
            env.put("STRATA_STORAGE_SWEEPER_ENABLED", "false");
            Path logs;
            try {
                logs = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "strata-test-services"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            ServiceProcess p = new ServiceProcess("storage-gateway", ServiceProcess.builtJar("storage-gateway"), env,
                    logs);
            p.start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::stop, "storage-gateway-stop"));
            gateway = p;
        }
        return gateway;
    }

    public static synchronized String token() {
        process();
        return token;
    }
}
