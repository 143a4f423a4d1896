package dev.strata.storage.health;

import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.strata.storage.domain.BucketRole;
import dev.strata.storage.domain.BucketSettings;
import dev.strata.storage.service.BucketBootstrap;

/**
 * Ready once the buckets exist and every <em>required</em> setting is in force (default encryption on
 * {@code kyc-documents} when {@code strata.storage.require-encryption}). Other refused settings do not make the
 * gateway unready (it enforces them itself) but are listed in the data per bucket: {@code <role>.state}
 * ({@code ok}, {@code degraded}, {@code failed}), {@code <role>.unsupported}, and {@code kyc-documents.encryption}.
 */
@Readiness
@ApplicationScoped
public class BucketsReadinessCheck implements HealthCheck {

    private final BucketBootstrap bootstrap;

    public BucketsReadinessCheck(BucketBootstrap bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("storage-buckets");
        List<BucketSettings> report = bootstrap.report();
        if (report == null) {
            return b.down().withData("error", "buckets not bootstrapped yet"
                    + (bootstrap.lastFailure() == null ? "" : " (" + bootstrap.lastFailure() + ")")).build();
        }
        boolean up = true;
        for (BucketSettings s : report) {
            // a required setting the backend refused (e.g. encryption for KYC evidence) must keep traffic away
            up &= s.failedRequirements().isEmpty();
            b.withData(s.role() + ".state", s.state());
            b.withData(s.role() + ".required", String.join(", ", s.required()));
            if (s.role().equals(BucketRole.KYC_DOCUMENTS.id())) {
                b.withData(s.role() + ".encryption", s.applied().contains(BucketBootstrap.ENCRYPTION)
                        ? "SSE-S3 (read back)"
                        : s.refusal(BucketBootstrap.ENCRYPTION).map(BucketSettings.Refusal::reason).orElse("not requested"));
            }
            b.withData(s.role() + ".bucket", s.bucket());
            b.withData(s.role() + ".applied", String.join(", ", s.applied()));
            b.withData(s.role() + ".unsupported",
                    s.refused().stream().map(BucketSettings.Refusal::setting).collect(Collectors.joining(", ")));
        }
        return b.status(up).build();
    }
}
