package dev.strata.settings;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.strata.testing.Ports;

/**
 * Picks the port of the tests' local webhook receiver and allow-lists exactly {@code 127.0.0.1:<port>}: the
 * allow-list covers nothing else, so the SSRF tests see 127.0.0.1 (any other port), localhost, 10/8, … refused.
 * The receiver itself is started by the test ({@link WebhookReceiver}) on that port.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        int port = Ports.free();
        return Map.of("strata.webhooks.allowed-hosts", "127.0.0.1:" + port);
    }

    @Override
    public void stop() {
    }
}
