package dev.strata.storage.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.minio.MinioClient;

import dev.strata.storage.config.StorageConfig;

/**
 * The two S3 clients: the internal one (quarkus-minio's, for real calls) and one that only signs URLs for the
 * public endpoint. Signing is local because the region is configured, so the public host never has to be
 * reachable from the gateway.
 */
@ApplicationScoped
public class S3Clients {

    private final MinioClient internal;
    private final MinioClient presigner;
    private final String publicEndpoint;

    public S3Clients(MinioClient internal, StorageConfig config,
            @ConfigProperty(name = "quarkus.minio.access-key") String accessKey,
            @ConfigProperty(name = "quarkus.minio.secret-key") String secretKey,
            @ConfigProperty(name = "quarkus.minio.region", defaultValue = "us-east-1") String region) {
        this.internal = internal;
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
