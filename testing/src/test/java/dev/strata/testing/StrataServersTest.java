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
}
