package dev.strata.rates.provider;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.smallrye.mutiny.Uni;

import dev.strata.rates.config.RatesConfig;
import dev.strata.rates.domain.RateSnapshot;

/**
 * open.er-api.com ({@code /v6/latest/{BASE}}): {@code result}, {@code base_code}, {@code rates},
 * {@code time_last_update_unix} (the effective time) and {@code time_next_update_unix} (honoured by the refresher).
 */
@ApplicationScoped
public class ErApiProvider implements RateProvider {

    public static final String NAME = "er-api";

    /** Numbers are read as exact decimals: a rate never passes through a double. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();

    private final FeedFetcher fetcher;
    private final RatesConfig.ErApi config;

    public ErApiProvider(FeedFetcher fetcher, RatesConfig config) {
        this.fetcher = fetcher;
        this.config = config.providers().erApi();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean enabled() {
        return config.enabled();
    }

    @Override
    public Uni<RateSnapshot> fetch() {
        String base = config.base();
        String url = config.url().replaceAll("/+$", "") + "/" + base;
        return fetcher.get(url, "application/json").map(body -> parse(body, base));
    }

    public static RateSnapshot parse(String body, String expectedBase) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw Feeds.garbage("not a JSON document: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw Feeds.garbage("not a JSON object");
        }
        if (!"success".equals(root.path("result").asText())) {
            throw Feeds.garbage("result is " + root.path("result").asText("missing")
                    + (root.has("error-type") ? " (" + root.path("error-type").asText() + ")" : ""));
        }
        String base = root.path("base_code").asText("");
        if (!base.equals(expectedBase)) {
            throw Feeds.garbage("asked for base " + expectedBase + ", got " + base);
        }
        JsonNode last = root.path("time_last_update_unix");
        if (!last.canConvertToLong() || last.asLong() <= 0) {
            throw Feeds.garbage("no time_last_update_unix");
        }
        Instant effective = Instant.ofEpochSecond(last.asLong());
        Feeds.checkTime(effective);
        JsonNode next = root.path("time_next_update_unix");
        Instant nextUpdate = next.canConvertToLong() && next.asLong() > 0 ? Instant.ofEpochSecond(next.asLong()) : null;
        JsonNode ratesNode = root.path("rates");
        if (!ratesNode.isObject() || ratesNode.isEmpty()) {
            throw Feeds.garbage("no rates");
        }
        Map<String, BigDecimal> rates = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = ratesNode.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber()) {
                throw Feeds.garbage("rate for " + e.getKey() + " is not a number");
            }
            if (e.getKey().equals(base) && e.getValue().decimalValue().compareTo(BigDecimal.ONE) != 0) {
                throw Feeds.garbage("the base is not at 1");
            }
            Feeds.put(rates, base, e.getKey(), e.getValue().decimalValue());
        }
        if (rates.isEmpty()) {
            throw Feeds.garbage("no rates besides the base");
        }
        return new RateSnapshot(NAME, base, effective, nextUpdate, Map.copyOf(rates));
    }
}
