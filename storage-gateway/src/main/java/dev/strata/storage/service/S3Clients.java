package dev.strata.storage.service;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.minio.MinioClient;

import dev.strata.storage.config.StorageConfig;

/**
 * The two S3 clients: the internal one (for real calls, configured by {@code quarkus.minio.*}) and one that only signs URLs for the
 * public endpoint. Signing is local because the region is configured, so the public host never has to be
 * reachable from the gateway.
 */
@ApplicationScoped
public class S3Clients {

    private final MinioClient internal;
    private final MinioClient presigner;
    private final String publicEndpoint;

    public S3Clients(StorageConfig config,
            @ConfigProperty(name = "quarkus.minio.host") Optional<String> host,
            @ConfigProperty(name = "quarkus.minio.url") Optional<String> url,
            @ConfigProperty(name = "quarkus.minio.access-key") String accessKey,
            @ConfigProperty(name = "quarkus.minio.secret-key") String secretKey,
            @ConfigProperty(name = "quarkus.minio.region", defaultValue = "us-east-1") String region) {
        // quarkus-minio 3.8.6 relocates quarkus.minio.url to .host with config interceptors that this Quarkus
        // version no longer discovers, so its own client bean fails on url-only configuration: read both here
        String endpoint = host.filter(h -> !h.isBlank()).or(() -> url.filter(u -> !u.isBlank()))
                .orElseThrow(() -> new IllegalStateException("quarkus.minio.url (or .host) is required"));
        this.internal = MinioClient.builder().endpoint(endpoint).region(region).credentials(accessKey, secretKey).build();
        // the client's defaults (5 minutes each) would keep a worker thread on a stalled S3 long after the request
        // has been answered 503; the read timeout is per read, so streaming a large object is not cut short
        long timeout = config.s3Timeout().toMillis();
        this.internal.setTimeout(timeout, timeout, timeout);
        this.publicEndpoint = config.publicEndpoint().replaceAll("/+$", "");
        this.presigner = MinioClient.builder().endpoint(publicEndpoint).region(region)
                .credentials(accessKey, secretKey).build();
    }

    public MinioClient internal() {
        return internal;
    }

    public MinioClient presigner() {
        return presigner;
    }

    public String publicEndpoint() {
        return publicEndpoint;
    }
}
