package dev.strata.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An EVM address (lower-case {@code 0x} + 40 hex digits) whose owner proved control of it by a signature. */
@Entity
@Table(name = "wallets")
public class Wallet extends PanacheEntityBase {

    @Id
    public String address;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "linked_at")
    public Instant linkedAt;
}
