package dev.strata.settings.service;

import java.time.Duration;

/** Test access to the dispatcher's package-private helpers. */
public final class WebhookDispatcherAccess {
    private WebhookDispatcherAccess() {
    }

    public static Duration retryAfter(String v) {
        return WebhookDispatcher.retryAfter(v);
    }
}
