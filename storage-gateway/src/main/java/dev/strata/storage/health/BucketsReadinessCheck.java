package dev.strata.storage.health;

import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.strata.storage.domain.BucketSettings;
import dev.strata.storage.service.BucketBootstrap;

/**
 * Ready once the buckets exist. Settings the backend refused do not make the gateway unready (it enforces
 * them itself) but are listed in the data, e.g. {@code "user-uploads.unsupported": "temp-expiry-lifecycle"}.
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
        b.up();
        for (BucketSettings s : report) {
            b.withData(s.role() + ".bucket", s.bucket());
            b.withData(s.role() + ".applied", String.join(", ", s.applied()));
            b.withData(s.role() + ".unsupported",
                    s.refused().stream().map(BucketSettings.Refusal::setting).collect(Collectors.joining(", ")));
        }
        return b.build();
    }
}
