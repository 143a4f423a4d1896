package dev.strata.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One single-use TOTP recovery code, stored as its HMAC only. */
@Entity
@Table(name = "totp_recovery_codes")
public class RecoveryCode extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "code_hash")
    public String codeHash;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "used_at")
    public Instant usedAt;
}
