package dev.strata.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A one-time code; only its HMAC is stored. */
@Entity
@Table(name = "verifications")
public class Verification extends PanacheEntityBase {

    public static final String EMAIL = "email";
    public static final String PHONE = "phone";

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    public String purpose;
    public String identifier;
    @Column(name = "code_hash")
    public String codeHash;
    public int attempts;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "consumed_at")
    public Instant consumedAt;
    @Column(name = "created_at")
    public Instant createdAt;
}
