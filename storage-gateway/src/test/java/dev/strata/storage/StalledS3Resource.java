package dev.strata.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import dev.strata.testing.StrataServersResource;

/**
 * The shared servers, but the gateway's S3 is a socket that accepts and then stalls: requests naming
 * {@code stall-} get a status line one byte every 300 ms (each read succeeds, so only a bound on the whole
 * operation ends them), all others get nothing at all (the client's read timeout ends them). A 1 s S3 timeout.
 */
public class StalledS3Resource extends StrataServersResource {

    private ServerSocket server;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(this::accept, "stalled-s3");
        acceptor.setDaemon(true);
        acceptor.start();
        config.put("quarkus.minio.host", "http://127.0.0.1:" + server.getLocalPort());
        config.put("strata.storage.s3-timeout", "1S");
        return config;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> stall(s), "stalled-s3-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void stall(Socket s) {
        try (s) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) >= 0 && c != '\n';) {
                line.append((char) c);
            }
            long until = System.currentTimeMillis() + 20_000;
            if (line.indexOf("stall-") >= 0) {
                OutputStream out = s.getOutputStream();
                byte[] status = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; System.currentTimeMillis() < until; i = (i + 1) % status.length) {
                    // never completes the headers
                    out.write(status[i] == '\n' ? 'X' : status[i]);
                    out.flush();
                    Thread.sleep(300);
                }
            } else {
                while (System.currentTimeMillis() < until && in.read() >= 0) {
                    // read the rest, answer nothing
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up
        }
    }

    @Override
    public void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        super.stop();
    }
}
