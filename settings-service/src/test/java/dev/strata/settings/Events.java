package dev.strata.settings;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.quarkus.redis.datasource.RedisDataSource;

import dev.strata.platform.events.EventEnvelope;

/** Writes events to a durable stream the way the platform's outbox relay does (fields id, type, envelope). */
final class Events {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Events() {
    }

    static EventEnvelope kycDecision(String userId, String status) {
        return new EventEnvelope(UUID.randomUUID(), "kyc." + status, Instant.now(), userId,
                Map.of("applicationId", UUID.randomUUID().toString(), "userId", userId, "fromStatus", "under_review",
                        "toStatus", status));
    }

    static EventEnvelope account(String userId, String type) {
        return new EventEnvelope(UUID.randomUUID(), "accounts." + type, Instant.now(), userId,
                Map.of("userId", userId, "count", 2, "reason", "revoked-all"));
    }

    static void xadd(RedisDataSource redis, EventEnvelope e) throws Exception {
        String family = e.type().substring(0, e.type().indexOf('.'));
        redis.execute("XADD", "strata:events:" + family, "*", "id", e.id().toString(), "type", e.type(), "envelope",
                JSON.writeValueAsString(e));
    }
}
