package dev.strata.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** The durable record of a session; the raw token is never stored, only its SHA-256. */
@Entity
@Table(name = "sessions")
public class Session extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "token_hash")
    public String tokenHash;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "last_seen_at")
    public Instant lastSeenAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    /** The last time this session proved its user's credentials (sign-in or re-authentication). */
    @Column(name = "reauthenticated_at")
    public Instant reauthenticatedAt;
    @Column(name = "revoke_reason")
    public String revokeReason;
    public String ip;
    @Column(name = "user_agent")
    public String userAgent;
}
