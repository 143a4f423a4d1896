package dev.strata.settings.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.settings.domain.NotificationSetting;

@ApplicationScoped
@WithSession
public class NotificationSettingsRepository
        implements PanacheRepositoryBase<NotificationSetting, NotificationSetting.Key> {

    public Uni<List<NotificationSetting>> ofUser(UUID userId) {
        return list("userId", userId);
    }

    public Uni<Long> deleteOfUser(UUID userId) {
        return delete("userId", userId);
    }
}
