package dev.strata.settings.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

import dev.strata.settings.domain.UserSettings;

@ApplicationScoped
@WithSession
public class UserSettingsRepository implements PanacheRepositoryBase<UserSettings, UUID> {

    /** The row locked until the transaction ends: concurrent writers apply one after the other. */
    public Uni<UserSettings> forUpdate(UUID userId) {
        return findById(userId, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Creates the row with version 0 unless it exists, so a first write has a row to lock (two first writers
     * must not both insert).
     */
    public Uni<Integer> ensure(UUID userId, String locale, String timezone, String currency, String theme) {
        return getSession().chain(s -> s.createNativeQuery("insert into settings.user_settings (user_id, locale,"
                + " timezone, currency, theme, version, updated_at) values (?1, ?2, ?3, ?4, ?5, 0, now())"
                + " on conflict (user_id) do nothing").setParameter(1, userId).setParameter(2, locale)
                .setParameter(3, timezone).setParameter(4, currency).setParameter(5, theme).executeUpdate());
    }
}
