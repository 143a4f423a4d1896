package dev.strata.rates.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.strata.rates.config.RatesConfig;

/**
 * Reports which providers are configured. Deliberately always UP: a provider being down must not take the
 * service out of rotation, since stale rates are still served.
 */
@Readiness
@ApplicationScoped
public class RatesReadiness implements HealthCheck {

    private final RatesConfig config;

    public RatesReadiness(RatesConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("rates-providers").up()
                .withData("ecb", config.providers().ecb().enabled() ? config.providers().ecb().url() : "disabled")
                .withData("er-api", config.providers().erApi().enabled() ? config.providers().erApi().url() : "disabled")
                .withData("refresh", config.refresh().enabled() ? config.refresh().interval().toString() : "disabled")
                .build();
    }
}
