package dev.strata.rates.service;

import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventChannels;
import dev.strata.rates.config.RatesConfig;

/**
 * Ticks the refresher every interval plus a random jitter (a Vert.x timer, re-armed after each tick so ticks never
 * overlap), and clears the L1 whenever any replica publishes {@code strata.rates.updated}.
 */
@ApplicationScoped
public class RefreshScheduler {

    private static final Logger LOG = Logger.getLogger(RefreshScheduler.class);

    private final Vertx vertx;
    private final RefreshService refresher;
    private final RatesCache cache;
    private final EventBus events;
    private final RatesConfig.Refresh config;
    private volatile boolean stopped;

    public RefreshScheduler(Vertx vertx, RefreshService refresher, RatesCache cache, EventBus events,
            RatesConfig config) {
        this.vertx = vertx;
        this.refresher = refresher;
        this.cache = cache;
        this.events = events;
        this.config = config.refresh();
    }

    void start(@Observes StartupEvent ev) {
        events.subscribe(EventChannels.RATES_UPDATED, (channel, envelope) -> cache.clearLocal())
                .subscribe().with(s -> LOG.debug("listening to strata.rates.updated"),
                        f -> LOG.errorf(f, "could not subscribe to strata.rates.updated; the L1 relies on its TTL"));
        if (config.enabled()) {
            vertx.setTimer(Math.max(1, config.initialDelay().toMillis()), id -> tick());
        } else {
            LOG.info("background refresh is disabled (strata.rates.refresh.enabled=false)");
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        stopped = true;
    }

    private void tick() {
        if (stopped) {
            return;
        }
        refresher.scheduled()
                .call(() -> refresher.updateAgeGauge())
                .subscribe().with(
                report -> next(),
                failure -> {
                    LOG.warnf("refresh tick failed: %s", failure.toString());
                    next();
                });
    }

    private void next() {
        if (stopped) {
            return;
        }
        long delay = config.interval().toMillis()
                + ThreadLocalRandom.current().nextLong(Math.max(1, config.jitter().toMillis()));
        vertx.setTimer(delay, id -> tick());
    }
}
