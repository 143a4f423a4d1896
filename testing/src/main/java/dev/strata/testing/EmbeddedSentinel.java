package dev.strata.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A real Redis Sentinel setup from the same Redis 6.2 binary as {@link EmbeddedRedis}: one master, one replica and
 * three sentinels (quorum 2, a node is down after 1 s without answers, failover timeout 2 s), all on 127.0.0.1.
 *
 * <p>ACLs stay on everywhere. Both data nodes carry the same service users ({@link RedisAcl}), so a promoted replica
 * accepts the services as the master did, plus a replication user (the replica's {@code masteruser}) and the
 * sentinels' monitoring user. The sentinels carry the services' users too (same names and passwords, but only the
 * right to ask where the master is: {@link RedisAcl#SENTINEL_CLIENT}), because the Vert.x client authenticates to
 * sentinels and master with the same URI credentials. Every process runs behind the {@link ManagedProcess}
 * watchdog, so none outlives the JVM.
 *
 * <p>{@link #quarkusConfig(String)} is the whole client side: {@code quarkus.redis.client-type=sentinel}, the master
 * name and the sentinels as {@code quarkus.redis.hosts}.
 */
public final class EmbeddedSentinel {

    public static final String MASTER_NAME = "strata";
    static final int QUORUM = 2;
    static final int DOWN_AFTER_MS = 1000;
    // short: a split vote is retried after twice this, and that retry must still fit a 10 s failover window
    static final int FAILOVER_TIMEOUT_MS = 2000;

    private final Path home;
    private final String password;
    private final boolean durable;
    private final List<EmbeddedRedis> nodes = new ArrayList<>();
    private final List<Integer> nodePorts = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final List<ManagedProcess> sentinels = new ArrayList<>();

    /**
     * @param password the master secret: the default user's password on every process, and the seed of every
     *                 other user's ({@link RedisAcl#password})
     * @param ports    five ports (master, replica, three sentinels); {@code 0} for free ones
     */
    public EmbeddedSentinel(Path home, String password, boolean durable, int... ports) {
        this.home = home;
        this.password = password;
        this.durable = durable;
        for (int i = 0; i < 5; i++) {
            int p = ports.length > i && ports[i] > 0 ? ports[i] : Ports.free();
            (i < 2 ? nodePorts : sentinelPorts).add(p);
        }
    }

    /** Starts master, replica and sentinels, and returns once the replica is in sync and every sentinel sees the others. */
    public synchronized void start() throws IOException {
        if (!sentinels.isEmpty()) {
            return;
        }
        String replicationPassword = RedisAcl.password(password, RedisAcl.REPLICATION_USER);
        // a kept data dir: the master is whoever the sentinels last promoted (they rewrite their file on failover)
        int master = lastKnownMaster().filter(nodePorts::contains).orElse(nodePorts.get(0));
        for (int i = 0; i < 2; i++) {
            List<String> extra = new ArrayList<>();
            for (List<String> user : RedisAcl.replicationUserDirectives(password)) {
                extra.add("--user");
                extra.addAll(user);
            }
            // both nodes know how to replicate: sentinel turns the old master into a replica when it comes back
            extra.addAll(List.of("--masteruser", RedisAcl.REPLICATION_USER, "--masterauth", replicationPassword));
            if (nodePorts.get(i) != master) {
                extra.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master)));
            }
            EmbeddedRedis node = new EmbeddedRedis(home.resolve("node-" + i), nodePorts.get(i), durable, password, extra);
            node.start();
            nodes.add(node);
        }
        for (int i = 0; i < sentinelPorts.size(); i++) {
            Path dir = home.resolve("sentinel-" + i);
            Files.createDirectories(dir);
            Path conf = dir.resolve("sentinel.conf");
            // sentinel rewrites its file (ids, discovered peers): a kept data dir keeps what it learnt
            if (!Files.exists(conf)) {
                Files.writeString(conf, sentinelConf(sentinelPorts.get(i), dir));
            }
            ManagedProcess p = ManagedProcess.start("redis-sentinel", List.of(Binaries.redisServer().toString(),
                    conf.toString(), "--sentinel"), dir, dir.resolve("sentinel.log"), Map.of());
            sentinels.add(p);
        }
        Ports.await("Redis Sentinel setup", Duration.ofSeconds(30), this::healthy, null);
    }

    private Optional<Integer> lastKnownMaster() throws IOException {
        Path conf = home.resolve("sentinel-0").resolve("sentinel.conf");
        if (!Files.exists(conf)) {
            return Optional.empty();
        }
        String prefix = "sentinel monitor " + MASTER_NAME + " ";
        for (String line : Files.readAllLines(conf)) {
            if (line.startsWith(prefix)) {
                String[] f = line.split(" ");
                return Optional.of(Integer.parseInt(f[4]));
            }
        }
        return Optional.empty();
    }

    private String sentinelConf(int port, Path dir) {
        StringBuilder c = new StringBuilder();
        c.append("port ").append(port).append('\n');
        c.append("bind 127.0.0.1\n");
        c.append("protected-mode yes\n");
        c.append("daemonize no\n");
        c.append("dir ").append(dir).append('\n');
        c.append("requirepass ").append(password).append('\n');
        for (List<String> user : RedisAcl.sentinelUserDirectives(password)) {
            c.append("user ").append(String.join(" ", user)).append('\n');
        }
        String m = MASTER_NAME;
        c.append("sentinel monitor ").append(m).append(" 127.0.0.1 ").append(nodePorts.get(0)).append(' ')
                .append(QUORUM).append('\n');
        c.append("sentinel down-after-milliseconds ").append(m).append(' ').append(DOWN_AFTER_MS).append('\n');
        c.append("sentinel failover-timeout ").append(m).append(' ').append(FAILOVER_TIMEOUT_MS).append('\n');
        c.append("sentinel parallel-syncs ").append(m).append(" 1\n");
        c.append("sentinel auth-user ").append(m).append(' ').append(RedisAcl.SENTINEL_USER).append('\n');
        c.append("sentinel auth-pass ").append(m).append(' ')
                .append(RedisAcl.password(password, RedisAcl.SENTINEL_USER)).append('\n');
        // sentinels vote by talking to each other: as the default user, with the master secret
        c.append("sentinel sentinel-pass ").append(password).append('\n');
        return c.toString();
    }

    /** The replica is in sync and every sentinel knows the master, the replica and both other sentinels. */
    public boolean healthy() {
        try {
            int master = masterPort();
            Object info = ask(master, "INFO", "replication");
            if (!String.valueOf(info).contains("connected_slaves:1") || !String.valueOf(info).contains("state=online")) {
                return false;
            }
            for (int port : sentinelPorts) {
                Map<String, String> m = fields(ask(port, "SENTINEL", "MASTER", MASTER_NAME));
                if (!String.valueOf(master).equals(m.get("port")) || !"2".equals(m.get("num-other-sentinels"))
                        || !"1".equals(m.get("num-slaves")) || !"master".equals(m.get("flags"))) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The master's port as the first sentinel that answers sees it. */
    public int masterPort() throws IOException {
        IOException last = null;
        for (int port : sentinelPorts) {
            try {
                Object r = ask(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
                if (r instanceof List<?> l && l.size() == 2) {
                    return Integer.parseInt(String.valueOf(l.get(1)));
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new IOException("no sentinel knows master " + MASTER_NAME);
    }

    /** Waits until {@link #healthy()} (after a failover: the old master is back as an in-sync replica). */
    public void awaitHealthy(Duration timeout) {
        Ports.await("Redis Sentinel setup healthy", timeout, this::healthy, null);
    }

    /**
     * A failover with the master alive ({@code SENTINEL FAILOVER}, as an operator or a partition would cause it): the
     * old master is demoted to a read-only replica while clients may still hold connections to it.
     */
    public void failover() throws IOException {
        Object r = ask(sentinelPorts.get(0), "SENTINEL", "FAILOVER", MASTER_NAME);
        if (!"OK".equals(r)) {
            throw new IOException("SENTINEL FAILOVER refused: " + r);
        }
    }

    /** The data node on that port, if it is one of ours. */
    public Optional<EmbeddedRedis> node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst();
    }

    /** Kills the current master with SIGKILL (a crash); returns its port. */
    public int killMaster() throws IOException {
        int port = masterPort();
        node(port).orElseThrow(() -> new IOException("master on port " + port + " is not ours")).kill();
        return port;
    }

    public Path home() {
        return home;
    }

    /** Ports of the two data nodes (which one is the master changes with failovers: ask {@link #masterPort()}). */
    public List<Integer> nodePorts() {
        return List.copyOf(nodePorts);
    }

    public List<Integer> sentinelPorts() {
        return List.copyOf(sentinelPorts);
    }

    /** The master secret's URL of the current master (tests' own checks, the operator). */
    public String masterUrl() throws IOException {
        return "redis://:" + password + "@127.0.0.1:" + masterPort();
    }

    /**
     * Sentinel-mode client settings for a service (its own ACL user; {@code null}: the default user). Services
     * resolve the master through the sentinels on every new connection (the topology is cached 1 s), so a
     * connection to a dead master is replaced by one to the promoted replica without configuration beyond this.
     */
    public Map<String, String> quarkusConfig(String service) {
        String credentials = service == null || service.isBlank() ? ":" + password
                : service + ":" + RedisAcl.password(password, service);
        if (service != null && !service.isBlank()) {
            RedisAcl.rule(service);
        }
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.redis.client-type", "sentinel");
        c.put("quarkus.redis.master-name", MASTER_NAME);
        c.put("quarkus.redis.role", "master");
        // Recovery does not depend on it here (a crash closes the sockets; a demotion by the sentinels kills the old
        // master's client connections: SentinelFailoverTest passes without it), but an old master cut off from the
        // sentinels and not from the clients keeps both: on +switch-master the client moves its pooled connections
        c.put("quarkus.redis.auto-failover", "true");
        // a vanished host must not hold a connection attempt for Vert.x's default 60 s
        c.put("quarkus.redis.tcp.connection-timeout", "2s");
        c.put("quarkus.redis.hosts", sentinelPorts.stream().map(p -> "redis://" + credentials + "@127.0.0.1:" + p)
                .collect(Collectors.joining(",")));
        return c;
    }

    public synchronized void stop() {
        for (ManagedProcess s : sentinels) {
            s.stop();
        }
        sentinels.clear();
        for (EmbeddedRedis n : nodes) {
            n.stop();
        }
        nodes.clear();
    }

    // ---- a minimal RESP2 client for readiness and topology questions (no client library in this module)

    private Object ask(int port, String... command) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write(encode("AUTH", password));
            out.write(encode(command));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            Object auth = read(in);
            if (!"OK".equals(auth)) {
                throw new IOException("AUTH refused on port " + port + ": " + auth);
            }
            Object reply = read(in);
            if (reply instanceof IOException e) {
                throw e;
            }
            return reply;
        }
    }

    private static byte[] encode(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Strings, longs, lists, null; an error reply comes back as an IOException value. */
    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                return new IOException(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n + 2);
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(read(in));
                }
                return l;
            }
            default:
                throw new IOException("not RESP: " + (char) type + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n';) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static Map<String, String> fields(Object reply) throws IOException {
        if (!(reply instanceof List<?> l)) {
            throw new IOException("unexpected reply " + reply);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < l.size(); i += 2) {
            m.put(String.valueOf(l.get(i)), String.valueOf(l.get(i + 1)));
        }
        return m;
    }
}
