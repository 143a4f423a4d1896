package dev.strata.settings.domain;

/** What a reader gets: the settings as of {@code version} (0: defaults, nothing stored yet). */
public record SettingsValue(String locale, String timezone, String currency, String theme, long version) {

    public static SettingsValue of(UserSettings s) {
        return new SettingsValue(s.locale, s.timezone, s.currency, s.theme, s.version);
    }
}
