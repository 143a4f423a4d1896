package dev.strata.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A linked OAuth/OIDC identity. Provider tokens are deliberately not kept. */
@Entity
@Table(name = "accounts")
public class Account extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "provider_id")
    public String providerId;
    @Column(name = "account_id")
    public String accountId;
    public String email;
    public String scope;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "created_at")
    public Instant createdAt;
}
