package dev.strata.settings.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.strata.platform.events.EventEnvelope;

/** One event for one user in one category: what every channel delivers. */
public record Notification(UUID userId, String category, EventEnvelope event) {

    /** When the event happened; an envelope without a time counts as now. */
    public Instant occurred() {
        return event.occurredAt() == null ? Instant.now() : event.occurredAt();
    }

    /** {@link #occurred()} as the timestamptz columns of the inbox and outboxes take it. */
    public OffsetDateTime occurredUtc() {
        return occurred().atOffset(ZoneOffset.UTC);
    }

    /** The event's data ({@code {}} when it has none). */
    public Map<String, Object> data() {
        return event.data() == null ? Map.of() : event.data();
    }

    /** {@link #data()} as JSON text, for a jsonb column. */
    public String dataJson(ObjectMapper json) throws JsonProcessingException {
        return json.writeValueAsString(data());
    }
}
