package dev.strata.settings.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The webhook channel: registration limits, SSRF allow-list, delivery timeouts and the retry policy. */
@ConfigMapping(prefix = "strata.webhooks")
public interface WebhookConfig {

    /** Endpoints one user may register; one more is a 409. */
    @WithDefault("10")
    int maxEndpoints();

    /**
     * Hosts ({@code host} or {@code host:port}, case-insensitive) exempt from the SSRF checks, e.g. an internal
     * receiver the operator trusts; plain {@code http} is allowed for them too. Empty by default.
     */
    Optional<List<String>> allowedHosts();

    /** How long the previous secret keeps signing after a rotation (receivers switch over meanwhile). */
    @WithDefault("PT24H")
    Duration secretOverlap();

    /** Deadline of one DNS resolution (done on a worker thread, never on the event loop). */
    @WithDefault("PT2S")
    Duration dnsTimeout();

    /** Runs the delivery worker in this replica; tests may turn it off. */
    @WithDefault("true")
    boolean workerEnabled();

    /** How often the worker looks for due deliveries (a new delivery also wakes it at once). */
    @WithDefault("PT0.5S")
    Duration pollInterval();

    /** Deliveries claimed per round. */
    @WithDefault("20")
    int batchSize();

    @WithDefault("PT5S")
    Duration connectTimeout();

    /** Deadline of one attempt, from sending to the response's status. */
    @WithDefault("PT10S")
    Duration requestTimeout();

    /** First retry delay; each further one doubles, up to {@link #backoffCap()}, with jitter. */
    @WithDefault("PT5S")
    Duration backoffBase();

    @WithDefault("PT1H")
    Duration backoffCap();

    /** Upper bound of a receiver's {@code Retry-After} we honour. */
    @WithDefault("PT6H")
    Duration retryAfterMax();

    /** Attempts per delivery cycle before it is marked failed. */
    @WithDefault("12")
    int maxAttempts();

    /** A delivery cycle older than this is not retried any more. */
    @WithDefault("P3D")
    Duration maxAge();

    /** An endpoint whose deliveries have kept failing this long (no success meanwhile) is disabled. */
    @WithDefault("PT24H")
    Duration disableAfter();
}
