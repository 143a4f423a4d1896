package dev.strata.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.HttpURLConnection;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;

import org.junit.jupiter.api.Test;

class StrataServersTest {

    @Test
    void startsRealServersAndStopsThemWithoutLeftovers() throws Exception {
        StrataServers servers = StrataServers.create(StrataServers.Options.forTests());
        long t0 = System.nanoTime();
        servers.start();
        long startMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("servers started in " + startMillis + " ms");
        List<ProcessHandle> children;
        try {
            try (Connection c = DriverManager.getConnection(servers.jdbcUrl(), EmbeddedPostgres.USER,
                    EmbeddedPostgres.PASSWORD); ResultSet rs = c.createStatement().executeQuery("SHOW server_version")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("17."), rs.getString(1));
            }
            EmbeddedRedis redis = servers.embeddedRedis().orElseThrow();
            assertTrue(Ports.isOpen("127.0.0.1", redis.port()));
            // Redis answers nobody who has not authenticated: reach alone is not access
            try (java.net.Socket sock = new java.net.Socket("127.0.0.1", redis.port())) {
                sock.setSoTimeout(2000);
                sock.getOutputStream().write("GET session:x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] buf = new byte[64];
                int n = sock.getInputStream().read(buf);
                String reply = new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
                assertTrue(reply.startsWith("-NOAUTH"), reply);
            }
            assertTrue(servers.redisUrl().matches("redis://:[0-9a-f]{48}@127\\.0\\.0\\.1:\\d+"), "password in the URL");
            // one ACL user per service: its own prefix and the shared key spaces, nobody else's, no administration
            String kyc = servers.redisUrl("kyc-service");
            assertTrue(kyc.startsWith("redis://kyc-service:"), kyc);
            assertEquals("+OK", redis(redis.port(), kyc, "SET", "kyc:probe", "1"));
            assertEquals("+OK", redis(redis.port(), kyc, "SET", "session:probe", "1"));
            assertEquals("+OK", redis(redis.port(), kyc, "SET", "ratelimit:probe", "1"));
            assertTrue(redis(redis.port(), kyc, "XADD", "strata:events:probe", "*", "a", "1").startsWith("$"));
            assertTrue(redis(redis.port(), kyc, "GET", "auth:oauth-state:x").startsWith("-NOPERM"));
            assertTrue(redis(redis.port(), kyc, "SET", "settings:user:x", "1").startsWith("-NOPERM"));
            assertTrue(redis(redis.port(), kyc, "FLUSHALL").startsWith("-NOPERM"));
            assertTrue(redis(redis.port(), kyc, "CONFIG", "GET", "requirepass").startsWith("-NOPERM"));
            assertTrue(redis(redis.port(), kyc, "KEYS", "*").startsWith("-NOPERM"));
            assertEquals("+OK", redis(redis.port(), servers.redisUrl("auth-service"), "SET", "auth:probe", "1"));
            assertTrue(redis(redis.port(), servers.redisUrl("auth-service"), "GET", "kyc:probe")
                    .startsWith("-NOPERM"));
            // a wrong password for a service user is refused
            assertTrue(redis(redis.port(), "redis://kyc-service:" + "0".repeat(64) + "@127.0.0.1:1", "PING")
                    .startsWith("-WRONGPASS"));
            // S3Proxy refuses an anonymous, unsigned request: it really checks signatures
            HttpURLConnection http = (HttpURLConnection) URI.create(servers.s3Endpoint() + "/").toURL().openConnection();
            assertEquals(403, http.getResponseCode());
            children = ProcessHandle.current().descendants().toList();
            assertTrue(children.size() >= 3, "expected server processes, got " + children.size());
        } finally {
            servers.stop();
        }
        for (ProcessHandle h : children) {
            h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(h.isAlive(), "left behind: " + h.info().commandLine().orElse("?"));
        }
    }

    /** One command as the URL's user over RESP; the first reply line (after AUTH's +OK). */
    static String redis(int port, String url, String... command) throws Exception {
        String userInfo = URI.create(url).getUserInfo();
        String[] up = userInfo.split(":", 2);
        try (java.net.Socket sock = new java.net.Socket("127.0.0.1", port)) {
            sock.setSoTimeout(2000);
            StringBuilder out = new StringBuilder();
            for (List<String> cmd : List.of(List.of("AUTH", up[0], up[1]), List.of(command))) {
                out.append('*').append(cmd.size()).append("\r\n");
                for (String arg : cmd) {
                    out.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
                }
            }
            sock.getOutputStream().write(out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    sock.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            String auth = in.readLine();
            if (!auth.equals("+OK")) {
                return auth;
            }
            return in.readLine();
        }
    }
}
