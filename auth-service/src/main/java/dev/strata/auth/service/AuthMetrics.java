package dev.strata.auth.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

/** Counters of auth-service; limiter rejections are counted by the platform (strata.rate_limit.rejections). */
@ApplicationScoped
public class AuthMetrics {

    private final MeterRegistry registry;

    public AuthMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void signIn(boolean success, String method) {
        registry.counter("strata.auth.sign_ins", "outcome", success ? "success" : "failure", "method", method)
                .increment();
    }

    public void sessionCreated() {
        registry.counter("strata.auth.sessions.created").increment();
    }

    public void sessionsRevoked(String reason, int count) {
        if (count > 0) {
            registry.counter("strata.auth.sessions.revoked", "reason", reason).increment(count);
        }
    }
}
