package dev.strata.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The Sentinel setup's ACLs and the client settings it hands out; failover itself: platform's SentinelFailoverTest. */
class EmbeddedSentinelTest {

    @Test
    void servicesMayLocateTheMasterButNotMoveItAndEveryNodeKnowsTheirUsers() throws Exception {
        Path home = Files.createTempDirectory("strata-sentinel-test");
        String secret = UUID.randomUUID().toString();
        EmbeddedSentinel sentinel = new EmbeddedSentinel(home, secret, false);
        sentinel.start();
        try {
            Map<String, String> config = sentinel.quarkusConfig("auth-service");
            assertEquals("sentinel", config.get("quarkus.redis.client-type"));
            assertEquals(EmbeddedSentinel.MASTER_NAME, config.get("quarkus.redis.master-name"));
            List<String> hosts = List.of(config.get("quarkus.redis.hosts").split(","));
            assertEquals(3, hosts.size());
            assertTrue(hosts.stream().allMatch(h -> h.startsWith("redis://auth-service:")), hosts.toString());

            String url = hosts.get(0);
            int sentinelPort = sentinel.sentinelPorts().get(0);
            assertEquals("*2", StrataServersTest.redis(sentinelPort, url, "SENTINEL", "GET-MASTER-ADDR-BY-NAME",
                    EmbeddedSentinel.MASTER_NAME));
            // a compromised service cannot trigger a failover or rewrite the sentinels
            assertTrue(StrataServersTest.redis(sentinelPort, url, "SENTINEL", "FAILOVER", EmbeddedSentinel.MASTER_NAME)
                    .startsWith("-NOPERM"));
            assertTrue(StrataServersTest.redis(sentinelPort, url, "SENTINEL", "SET", EmbeddedSentinel.MASTER_NAME,
                    "quorum", "1").startsWith("-NOPERM"));

            int master = sentinel.masterPort();
            int replica = sentinel.nodePorts().stream().filter(p -> p != master).findFirst().orElseThrow();
            assertEquals("+OK", StrataServersTest.redis(master, url, "SET", "auth:probe", "1"));
            // the replica knows the service's user (it may become the master) and is read-only until then
            assertTrue(StrataServersTest.redis(replica, url, "SET", "auth:probe", "2").startsWith("-READONLY"));
            assertTrue(StrataServersTest.redis(master, url, "GET", "kyc:probe").startsWith("-NOPERM"));
            // the replication user replicates and nothing else
            String replication = "redis://" + RedisAcl.REPLICATION_USER + ":"
                    + RedisAcl.password(secret, RedisAcl.REPLICATION_USER) + "@127.0.0.1:" + master;
            assertTrue(StrataServersTest.redis(master, replication, "GET", "auth:probe").startsWith("-NOPERM"));
            assertTrue(sentinel.healthy());
        } finally {
            sentinel.stop();
            Binaries.deleteTree(home);
        }
        for (int p : sentinel.sentinelPorts()) {
            assertTrue(!Ports.isOpen("127.0.0.1", p), "sentinel on " + p + " stopped");
        }
    }

    @Test
    void aKeptDataDirRestartsWithTheMasterTheSentinelsLastPromoted() throws Exception {
        Path home = Files.createTempDirectory("strata-sentinel-durable");
        String secret = UUID.randomUUID().toString();
        int[] ports = {Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free()};
        EmbeddedSentinel first = new EmbeddedSentinel(home, secret, true, ports);
        int promoted;
        try {
            first.start();
            int before = first.masterPort();
            first.failover();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (first.masterPort() == before && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            promoted = first.masterPort();
            assertTrue(promoted != before, "failed over");
            first.awaitHealthy(java.time.Duration.ofSeconds(30));
        } finally {
            first.stop();
        }
        // the local run restarts on the same data dir and ports: no split brain, the promoted node stays the master
        EmbeddedSentinel again = new EmbeddedSentinel(home, secret, true, ports);
        try {
            again.start();
            assertEquals(promoted, again.masterPort());
        } finally {
            again.stop();
            Binaries.deleteTree(home);
        }
    }

    @Test
    void strataServersInSentinelModeHandServicesSentinelSettings() throws Exception {
        StrataServers servers = StrataServers.create(new StrataServers.Options(
                Files.createTempDirectory("strata-servers-sentinel"), false, EmbeddedS3.Backend.TRANSIENT, 0, 0, 0,
                true));
        Map<String, String> env = servers.environment("kyc-service");
        assertEquals("sentinel", env.get("QUARKUS_REDIS_CLIENT_TYPE"));
        assertEquals(EmbeddedSentinel.MASTER_NAME, env.get("QUARKUS_REDIS_MASTER_NAME"));
        assertEquals(3, env.get("QUARKUS_REDIS_HOSTS").split(",").length);
        assertTrue(env.get("QUARKUS_REDIS_HOSTS").startsWith("redis://kyc-service:"));
        assertTrue(servers.embeddedRedis().isEmpty() && servers.embeddedSentinel().isPresent());
    }
}
