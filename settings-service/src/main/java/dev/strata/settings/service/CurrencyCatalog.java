package dev.strata.settings.service;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.strata.settings.config.SettingsConfig;

/**
 * The display currencies: those rates-service has rates for (base + every quote of {@code GET /api/rates}),
 * refreshed in the background. Until it answered once, or without a configured URL, the configured fallback list.
 */
@ApplicationScoped
public class CurrencyCatalog {

    private static final Logger LOG = Logger.getLogger(CurrencyCatalog.class);

    private final SettingsConfig.Currencies config;
    private final Vertx vertx;
    private final WebClient http;
    private volatile Set<String> known;
    private long timer = -1;

    public CurrencyCatalog(SettingsConfig config, Vertx vertx) {
        this.config = config.currencies();
        this.vertx = vertx;
        this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2000)
                .setUserAgent("strata-settings-service"));
        Set<String> fallback = new TreeSet<>();
        this.config.fallback().forEach(c -> fallback.add(c.trim().toUpperCase(Locale.ROOT)));
        this.known = Set.copyOf(fallback);
    }

    void onStart(@Observes StartupEvent e) {
        if (config.ratesUrl().isPresent()) {
            firstRefresh(1);
            timer = vertx.getDelegate().setPeriodic(config.refresh().toMillis(),
                    id -> refresh().subscribe().with(x -> {
                    }, x -> {
                    }));
        }
    }

    /** rates-service often starts after this service: retry the first read soon rather than at the next period. */
    private void firstRefresh(int attempt) {
        refresh().subscribe().with(x -> {
        }, x -> {
            if (attempt < 20) {
                vertx.getDelegate().setTimer(Math.min(30_000, 2_000L * attempt), id -> firstRefresh(attempt + 1));
            }
        });
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.getDelegate().cancelTimer(timer);
        }
    }

    public boolean knows(String code) {
        return code != null && known.contains(code);
    }

    /** One read of rates-service; keeps the previous list when it fails. */
    public Uni<Set<String>> refresh() {
        String base = config.ratesUrl().orElseThrow();
        return http.getAbs(base.replaceAll("/+$", "") + "/api/rates?base=EUR").timeout(5000).send()
                .ifNoItem().after(Duration.ofSeconds(6)).fail()
                .map(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("rates-service answered " + r.statusCode());
                    }
                    JsonObject body = r.bodyAsJsonObject();
                    if (body == null) {
                        throw new IllegalStateException("rates-service answered without a body");
                    }
                    Set<String> codes = new TreeSet<>();
                    codes.add(body.getString("base"));
                    JsonArray rates = body.getJsonArray("rates", new JsonArray());
                    for (int i = 0; i < rates.size(); i++) {
                        codes.add(rates.getJsonObject(i).getString("quote"));
                    }
                    codes.remove(null);
                    if (codes.size() > 1) {
                        known = Set.copyOf(codes);
                    }
                    return known;
                })
                .onFailure().invoke(x -> LOG.warnf("currency list from rates-service not refreshed: %s", x.toString()));
    }
}
