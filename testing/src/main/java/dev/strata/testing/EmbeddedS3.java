package dev.strata.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * S3Proxy (a real S3 server that verifies SigV4 signatures and presigned-URL expiry) in a child JVM. It is never
 * put on the caller's classpath: its bundled Jetty and AWS SDK would clash with Quarkus.
 */
public final class EmbeddedS3 extends EmbeddedServer {

    /** {@code filesystem} keeps objects on disk (local run); {@code transient} is in memory (tests). */
    public enum Backend {
        FILESYSTEM("filesystem"), TRANSIENT("transient");

        final String provider;

        Backend(String provider) {
            this.provider = provider;
        }
    }

    private final Path home;
    private final int port;
    private final Backend backend;
    private final String accessKey;
    private final String secretKey;

    public EmbeddedS3(Path home, int port, Backend backend, String accessKey, String secretKey) {
        this.home = home;
        this.port = port;
        this.backend = backend;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public int port() {
        return port;
    }

    public synchronized void start() throws IOException {
        requireFree("S3Proxy", port);
        Path jar = locateJar();
        Path blobs = home.resolve("blobs");
        Files.createDirectories(blobs);
        Path props = home.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=" + backend.provider,
                "jclouds.filesystem.basedir=" + blobs) + "\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString(), "--properties", props.toString());
        process = ManagedProcess.start("s3proxy", cmd, home, home.resolve("s3proxy.log"), Map.of());
        Ports.await("S3Proxy on port " + port, Duration.ofSeconds(60), this::answers, process);
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(1000);
            int code = c.getResponseCode();
            c.disconnect();
            return code > 0;
        } catch (IOException e) {
            return false;
        }
    }


    /**
     * The fat jar is copied next to each module's build output by the parent POM ({@code strata.s3proxy.jar});
     * outside Maven we fall back to the local repository.
     */
    static Path locateJar() throws IOException {
        for (String candidate : new String[] {System.getProperty("strata.s3proxy.jar"), System.getenv("STRATA_S3PROXY_JAR")}) {
            if (candidate != null && Files.isRegularFile(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "gaul", "s3proxy", "4.1.0",
                "s3proxy-4.1.0-jar-with-dependencies.jar");
        if (Files.isRegularFile(m2)) {
            return m2;
        }
        throw new IOException("S3Proxy jar not found: set -Dstrata.s3proxy.jar or STRATA_S3PROXY_JAR (the Maven build "
                + "copies it to target/strata-servers/s3proxy.jar)");
    }
}
