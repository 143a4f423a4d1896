package dev.strata.auth.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

@Entity
@Table(name = "users")
public class User extends PanacheEntityBase {

    @Id
    public UUID id;
    public String email;
    @Column(name = "email_verified")
    public boolean emailVerified;
    public String phone;
    @Column(name = "phone_verified")
    public boolean phoneVerified;
    public String name;
    @Column(name = "wallet_address")
    public String walletAddress;
    public String roles;
    @Column(name = "password_hash")
    public String passwordHash;
    @Column(name = "banned_at")
    public Instant bannedAt;
    @Column(name = "ban_reason")
    public String banReason;
    @Column(name = "locked_until")
    public Instant lockedUntil;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public Set<String> roleSet() {
        return Arrays.stream(roles == null ? new String[0] : roles.split(",")).map(String::trim)
                .filter(r -> !r.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    public void roleSet(Set<String> set) {
        // stable order so equal sets compare equal in the column
        this.roles = Roles.ALL.stream().filter(set::contains).collect(Collectors.joining(","));
    }

    public boolean banned() {
        return bannedAt != null;
    }
}
