package dev.strata.testing;

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
import java.util.List;
import java.util.Map;

/** A real Redis 6.2 server (the binary bundled in codemonstur's embedded-redis), run by us. */
public final class EmbeddedRedis extends EmbeddedServer {

    private final Path home;
    private final int port;
    private final boolean durable;
    private final String password;
    private final List<String> extraArgs;

    /** @param password required of every client ({@code requirepass}): Redis is never open to whoever can connect */
    public EmbeddedRedis(Path home, int port, boolean durable, String password) {
        this(home, port, durable, password, List.of());
    }

    /** @param extraArgs further command-line directives (a Sentinel setup's replication settings and users) */
    EmbeddedRedis(Path home, int port, boolean durable, String password, List<String> extraArgs) {
        this.home = home;
        this.port = port;
        this.durable = durable;
        this.password = password;
        this.extraArgs = List.copyOf(extraArgs);
    }

    public int port() {
        return port;
    }

    /** The default user: everything (tests' own checks, the operator). Services connect as their own user. */
    public String url() {
        return "redis://:" + password + "@127.0.0.1:" + port;
    }

    /** The URL of a service's own ACL user (see {@link RedisAcl}). */
    public String url(String service) {
        RedisAcl.rule(service);
        return "redis://" + service + ":" + RedisAcl.password(password, service) + "@127.0.0.1:" + port;
    }


    public synchronized void start() throws IOException {
        if (isRunning()) {
            return;
        }
        requireFree("Redis", port);
        Files.createDirectories(home);
        List<String> cmd = new ArrayList<>(List.of(Binaries.redisServer().toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", home.toString(),
                "--protected-mode", "yes", "--requirepass", password, "--daemonize", "no", "--save", ""));
        cmd.addAll(durable ? List.of("--appendonly", "yes") : List.of("--appendonly", "no"));
        // a user per service: a compromised service reaches the shared key spaces and its own, not the others'
        for (List<String> user : RedisAcl.userDirectives(password)) {
            cmd.add("--user");
            cmd.addAll(user);
        }
        cmd.addAll(extraArgs);
        process = ManagedProcess.start("redis", cmd, home, home.resolve("redis.log"), Map.of());
        Ports.await("Redis on port " + port, Duration.ofSeconds(30), this::pong, process);
    }

    private boolean pong() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write(("AUTH " + password + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            StringBuilder got = new StringBuilder();
            for (int n; got.indexOf("PONG") < 0 && got.indexOf("-") < 0 && (n = in.read(buf)) > 0;) {
                got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            return got.toString().startsWith("+OK") && got.indexOf("+PONG") > 0;
        } catch (IOException e) {
            return false;
        }
    }

}
