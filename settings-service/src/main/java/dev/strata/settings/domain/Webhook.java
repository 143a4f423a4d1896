package dev.strata.settings.domain;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A webhook endpoint as the API shows it. {@code secret} is present only in the answer that created it (and the
 * rotation's): it is never read back.
 */
public record Webhook(UUID id, String url, String description, boolean enabled, String disabledReason,
        Instant failingSince, Instant createdAt, @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {
}
