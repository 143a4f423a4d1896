package dev.strata.rates;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points both providers at the local {@link FeedServer}. */
public class FeedServerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        FeedServer s = FeedServer.get();
        return Map.of(
                "strata.rates.providers.ecb.url", s.base() + FeedServer.ECB,
                "strata.rates.providers.er-api.url", s.base() + "/er/v6/latest",
                "strata.rates.providers.er-api.base", "USD");
    }

    @Override
    public void stop() {
        // one server for the JVM
    }
}
