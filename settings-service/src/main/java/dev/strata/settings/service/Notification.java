package dev.strata.settings.service;

import java.util.UUID;

import dev.strata.platform.events.EventEnvelope;

/** One event for one user in one category: what every channel delivers. */
public record Notification(UUID userId, String category, EventEnvelope event) {
}
