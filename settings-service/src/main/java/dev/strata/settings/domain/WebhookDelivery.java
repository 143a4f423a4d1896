package dev.strata.settings.domain;

import java.time.Instant;
import java.util.UUID;

/** One entry of an endpoint's delivery log; {@code id} is the {@code webhook-id} header the receiver saw. */
public record WebhookDelivery(UUID id, UUID eventId, String eventType, String status, int attempts,
        Integer lastStatusCode, String lastError, Instant nextAttemptAt, Instant createdAt, Instant deliveredAt) {
}
