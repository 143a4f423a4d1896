package dev.strata.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Redis ACL user per service (Redis 6.2): each reaches the shared key spaces (sessions, rate limits, event
 * streams and channels) and its own prefix, nothing else, and no administrative or destructive command. Redis 6.2
 * cannot make a key pattern read-only, so every service can still write {@code session:*}; the records are signed,
 * which makes such a write worthless. The same rules are in deploy/kubernetes/base/redis (users.acl); a test
 * compares the two.
 */
public final class RedisAcl {

    /**
     * Key patterns and channels every service uses (platform: sessions, rate limiter, events). Redis 6.2 matches a
     * PSUBSCRIBE pattern literally against the channel rules, so the patterns services subscribe to are listed as
     * they are written, beside the glob that covers concrete channels.
     */
    public static final String SHARED = "~session:* ~user-sessions:* ~ratelimit:* ~strata:* resetchannels "
            + "&strata.* &strata.sessions.* &strata.kyc.* &strata.accounts.* &strata.alerts.* &strata.rates.* "
            + "&strata.settings.* &strata.sessions.revoked &strata.rates.updated &token:*:transfers";
    /** Everything but administration and the commands that wipe or enumerate everything. */
    public static final String COMMANDS = "-@all +@read +@write +@stream +@pubsub +@scripting +@connection "
            + "+@transaction +@keyspace -@admin -@dangerous +info +time +client|setname +client|id";

    /** Each service's own key prefix. */
    public static final Map<String, String> SERVICES;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("auth-service", "~auth:*");
        m.put("kyc-service", "~kyc:*");
        m.put("settings-service", "~settings:*");
        m.put("rates-service", "~rates:*");
        m.put("storage-gateway", "~storage:*");
        SERVICES = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * What a service may ask a Sentinel (same user name and password as on the data nodes, because the Vert.x client
     * authenticates to the sentinels and to the master it names with the same URI credentials): where the master,
     * replicas and other sentinels are, and to hear of a failover. Never to change the topology (no SENTINEL
     * FAILOVER/SET/REMOVE, no ACL, no SHUTDOWN).
     */
    public static final String SENTINEL_CLIENT = "resetchannels &+switch-master -@all +ping +auth +hello "
            + "+client|setname +client|id +sentinel|get-master-addr-by-name +sentinel|sentinels +sentinel|slaves "
            + "+sentinel|replicas +subscribe +unsubscribe";
    /** The replica's user on its master ({@code masteruser}): replication only. */
    public static final String REPLICATION_USER = "strata-replication";
    public static final String REPLICATION = "resetchannels -@all +psync +replconf +ping";
    /** The sentinels' user on the data nodes ({@code sentinel auth-user}): what Redis's docs list for Sentinel. */
    public static final String SENTINEL_USER = "strata-sentinel";
    public static final String SENTINEL_MONITOR = "allchannels -@all +multi +slaveof +replicaof +ping +exec "
            + "+subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill";

    private RedisAcl() {
    }

    /** The rule of one service's user, without its password. */
    public static String rule(String service) {
        String own = SERVICES.get(service);
        if (own == null) {
            throw new IllegalArgumentException("no Redis user for " + service);
        }
        return "on " + SHARED + " " + own + " " + COMMANDS;
    }

    /** A service's password, derived from the server's master secret: stable across restarts of a data dir. */
    public static String password(String master, String service) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((master + "\n" + service).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code user} directives for redis-server (one argument list per user). */
    public static List<List<String>> userDirectives(String master) {
        List<List<String>> out = new ArrayList<>();
        for (String service : SERVICES.keySet()) {
            List<String> d = new ArrayList<>();
            d.add(service);
            d.add("reset");
            d.addAll(List.of(rule(service).split(" ")));
            d.add(">" + password(master, service));
            out.add(d);
        }
        return out;
    }

    /**
     * The extra users of data nodes in a Sentinel setup (replication and the sentinels' monitoring user), as
     * {@code user} directives. Every node gets them: a replica may become the master and the old master a replica.
     */
    public static List<List<String>> replicationUserDirectives(String master) {
        return List.of(directive(REPLICATION_USER, REPLICATION, password(master, REPLICATION_USER)),
                directive(SENTINEL_USER, SENTINEL_MONITOR, password(master, SENTINEL_USER)));
    }

    /** The services' users on a sentinel: same names and passwords as on the data nodes, {@link #SENTINEL_CLIENT} rights. */
    public static List<List<String>> sentinelUserDirectives(String master) {
        List<List<String>> out = new ArrayList<>();
        for (String service : SERVICES.keySet()) {
            out.add(directive(service, SENTINEL_CLIENT, password(master, service)));
        }
        return out;
    }

    private static List<String> directive(String user, String rule, String password) {
        List<String> d = new ArrayList<>();
        d.add(user);
        d.add("reset");
        d.add("on");
        d.addAll(List.of(rule.split(" ")));
        d.add(">" + password);
        return d;
    }
}
