package dev.strata.storage.config;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

/** Presigned URLs live 15 minutes at most (DESIGN: Storage): a longer configured lifetime stops the start-up. */
@ApplicationScoped
public class PresignLimits {

    public static final Duration MAX = Duration.ofMinutes(15);

    void check(@Observes StartupEvent event, StorageConfig config) {
        require("strata.storage.presign-expiry", config.presignExpiry());
        require("strata.storage.public-read-expiry", config.publicReadExpiry());
    }

    static void require(String key, Duration value) {
        if (value.isNegative() || value.isZero() || value.compareTo(MAX) > 0) {
            throw new IllegalStateException(key + " must be between 1 s and " + MAX + ", is " + value);
        }
    }
}
