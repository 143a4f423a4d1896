package dev.strata.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A WebAuthn credential of a user: what verifies its assertions, and the counter they must raise. */
@Entity
@Table(name = "passkeys")
public class Passkey extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "credential_id")
    public byte[] credentialId;
    /** AAGUID, credential id and COSE public key as the authenticator encoded them (webauthn4j's converter). */
    @Column(name = "attested_credential_data")
    public byte[] attestedCredentialData;
    @Column(name = "sign_count")
    public long signCount;
    @Column(name = "uv_initialized")
    public boolean uvInitialized;
    @Column(name = "backup_eligible")
    public boolean backupEligible;
    @Column(name = "backup_state")
    public boolean backupState;
    /** Comma-separated transport hints, or null. */
    public String transports;
    @Column(name = "attestation_format")
    public String attestationFormat;
    public String name;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "last_used_at")
    public Instant lastUsedAt;
}
