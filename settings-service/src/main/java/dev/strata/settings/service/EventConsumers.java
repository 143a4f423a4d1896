package dev.strata.settings.service;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

import dev.strata.platform.events.stream.DurableConsumer;
import dev.strata.settings.config.SettingsConfig;

/**
 * Reads the suite's durable event streams ({@code strata:events:kyc}, {@code strata:events:accounts}, {@code strata:events:sessions} and
 * {@code strata:events:transfers} which {@link TransferWatcher} fills) in the
 * consumer group {@code settings-notifications}: events written while this service was down are read when it
 * comes back, each acknowledged only after it was handled.
 */
@ApplicationScoped
public class EventConsumers {

    public static final String GROUP = "settings-notifications";
    public static final List<String> FAMILIES = List.of("kyc", "accounts", "sessions", TransferWatcher.FAMILY);

    private final List<DurableConsumer> consumers;
    private final Vertx vertx;
    private final SettingsConfig config;

    public EventConsumers(ReactiveRedisDataSource redis, ObjectMapper json, MeterRegistry meters,
            NotificationService notifications, Vertx vertx, SettingsConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.consumers = FAMILIES.stream().map(family -> DurableConsumer.builder(redis, json, meters)
                .family(family).group(GROUP).handler(notifications::handle).block(Duration.ofSeconds(1)).build())
                .toList();
    }

    void onStart(@Observes StartupEvent e) {
        if (config.events().consumersEnabled()) {
            consumers.forEach(c -> c.start(vertx));
        }
    }

    void onStop(@Observes ShutdownEvent e) {
        consumers.forEach(DurableConsumer::stop);
    }

    public List<DurableConsumer> consumers() {
        return consumers;
    }
}
