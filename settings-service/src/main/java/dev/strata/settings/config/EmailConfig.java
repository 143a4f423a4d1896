package dev.strata.settings.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The e-mail channel ({@code strata.email.*}). The SMTP server itself is quarkus-mailer's configuration
 * ({@code quarkus.mailer.host/port/from/username/password}, from the environment).
 */
@ConfigMapping(prefix = "strata.email")
public interface EmailConfig {

    Sender sender();

    interface Sender {
        /** Runs the background sender on this replica (rows are still queued when off). */
        @WithDefault("true")
        boolean enabled();

        /** How often the outbox is looked at when nothing poked the sender. */
        @WithDefault("PT5S")
        Duration pollInterval();

        /** Rows claimed per round. */
        @WithDefault("20")
        int batchSize();

        /** Attempts (SMTP or auth-service failures) before a message is {@code failed}. */
        @WithDefault("8")
        int maxAttempts();

        /** Delay after the first failure; doubles per attempt (with jitter) up to {@link #backoffCap()}. */
        @WithDefault("PT10S")
        Duration backoffBase();

        @WithDefault("PT30M")
        Duration backoffCap();

        /** Deadline of one SMTP send. */
        @WithDefault("PT15S")
        Duration sendTimeout();
    }
}
