package dev.strata.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A user's TOTP enrolment; pending until {@link #enabledAt} is set by a first valid code. */
@Entity
@Table(name = "totp")
public class Totp extends PanacheEntityBase {

    @Id
    @Column(name = "user_id")
    public UUID userId;
    /** {@code v1:} + base64(nonce ‖ AES-GCM ciphertext ‖ tag) of the raw secret bytes. */
    @Column(name = "secret_encrypted")
    public String secretEncrypted;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "enabled_at")
    public Instant enabledAt;
    @Column(name = "last_used_step")
    public Long lastUsedStep;

    public boolean enabled() {
        return enabledAt != null;
    }
}
