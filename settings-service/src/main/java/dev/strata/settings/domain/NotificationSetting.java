package dev.strata.settings.domain;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** Whether a user wants events of one category on one channel (rows exist only where the user chose). */
@Entity
@Table(name = "notification_settings")
@IdClass(NotificationSetting.Key.class)
public class NotificationSetting extends PanacheEntityBase {

    @Id
    @Column(name = "user_id")
    public UUID userId;
    @Id
    public String channel;
    @Id
    public String category;
    public boolean enabled;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public static class Key implements Serializable {
        public UUID userId;
        public String channel;
        public String category;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(userId, k.userId) && Objects.equals(channel, k.channel)
                    && Objects.equals(category, k.category);
        }

        @Override
        public int hashCode() {
            return Objects.hash(userId, channel, category);
        }
    }
}
