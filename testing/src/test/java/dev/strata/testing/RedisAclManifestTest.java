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
}
