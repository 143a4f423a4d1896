package dev.strata.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The Redis of the manifests runs the ACL users the tests' Redis runs, rule for rule. */
class RedisAclManifestTest {

    @Test
    void theManifestsGiveEachServiceTheRuleTheTestsUse() throws Exception {
        Path yaml = Path.of("..", "deploy", "kubernetes", "base", "stores", "redis.yaml");
        List<String> args = new ArrayList<>();
        for (String line : Files.readAllLines(yaml)) {
            String t = line.trim();
            if (t.startsWith("- ")) {
                args.add(t.substring(2).replaceAll("^\"|\"$", ""));
            }
        }
        Map<String, String> rules = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--user")) {
                String name = args.get(i + 1);
                List<String> rule = new ArrayList<>();
                int j = i + 2;
                for (; j < args.size() && !args.get(j).startsWith("--") && !args.get(j).startsWith(">"); j++) {
                    rule.add(args.get(j));
                }
                assertTrue(args.get(j).startsWith(">$(REDIS_PASSWORD_"), name + ": password from the Secret");
                rules.put(name, String.join(" ", rule));
            }
        }
        assertEquals(RedisAcl.SERVICES.keySet(), rules.keySet());
        for (String service : RedisAcl.SERVICES.keySet()) {
            assertEquals("reset " + RedisAcl.rule(service), rules.get(service), service);
        }
    }

    /**
     * components/redis-sentinel writes its ACL users from two files of its ConfigMap: the data nodes' (services,
     * replication, sentinel monitoring) and the sentinels' (services, locate-only). Same rules as here.
     */
    @Test
    void theSentinelComponentRunsTheSameUsers() throws Exception {
        Path yaml = Path.of("..", "deploy", "kubernetes", "components", "redis-sentinel", "redis-sentinel-config.yaml");
        Map<String, String> node = new LinkedHashMap<>();
        Map<String, String> sentinel = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(yaml)) {
            String t = line.trim();
            if (t.equals("node-users.acl: |")) {
                current = node;
            } else if (t.equals("sentinel-users.acl: |")) {
                current = sentinel;
            } else if (current != null && t.startsWith("user ")) {
                String[] parts = t.split(" ");
                String password = parts[parts.length - 1];
                assertTrue(password.matches(">\\$\\{REDIS_PASSWORD_[A-Z]+\\}"), t + ": password from the Secret");
                current.put(parts[1], String.join(" ", java.util.Arrays.copyOfRange(parts, 2, parts.length - 1)));
            } else if (!line.startsWith("    ")) {
                current = null;
            }
        }
        Map<String, String> expectedNode = new LinkedHashMap<>();
        Map<String, String> expectedSentinel = new LinkedHashMap<>();
        for (String service : RedisAcl.SERVICES.keySet()) {
            expectedNode.put(service, "reset " + RedisAcl.rule(service));
            expectedSentinel.put(service, "reset on " + RedisAcl.SENTINEL_CLIENT);
        }
        expectedNode.put(RedisAcl.REPLICATION_USER, "reset on " + RedisAcl.REPLICATION);
        expectedNode.put(RedisAcl.SENTINEL_USER, "reset on " + RedisAcl.SENTINEL_MONITOR);
        assertEquals(expectedNode, node);
        assertEquals(expectedSentinel, sentinel);
    }
}
