package dev.strata.platform.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The envelope of every event on the Redis bus: {id, type, occurredAt, subject, data}. Consumers deduplicate
 * on {@code id}; pub/sub itself is at-most-once.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EventEnvelope(UUID id, String type, Instant occurredAt, String subject, Map<String, Object> data) {

    public static EventEnvelope of(String type, String subject, Map<String, Object> data) {
        return new EventEnvelope(UUID.randomUUID(), type, Instant.now(), subject, data == null ? Map.of() : data);
    }
}
