package dev.strata.settings.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A user's display settings; {@code version} counts committed writes and is the ETag. */
@Entity
@Table(name = "user_settings")
public class UserSettings extends PanacheEntityBase {

    @Id
    @Column(name = "user_id")
    public UUID userId;
    public String locale;
    public String timezone;
    public String currency;
    public String theme;
    public long version;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
