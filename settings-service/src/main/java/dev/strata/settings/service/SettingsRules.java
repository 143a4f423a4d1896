package dev.strata.settings.service;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.strata.platform.problem.Problem;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.settings.domain.SettingsValue;

/** What a setting may be: checked before any write, every offending field named at once. */
public final class SettingsRules {

    public static final Set<String> THEMES = Set.of("light", "dark", "system");
    private static final Set<String> LANGUAGES = Set.of(Locale.getISOLanguages());
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

    private SettingsRules() {
    }

    /** A well-formed BCP 47 tag whose language is an ISO 639 language, at most 35 characters. */
    static String localeError(String tag) {
        if (tag.length() > 35) {
            return "must be a BCP 47 language tag of at most 35 characters";
        }
        try {
            Locale l = new Locale.Builder().setLanguageTag(tag).build();
            if (l.getLanguage().isEmpty() || !LANGUAGES.contains(l.getLanguage())) {
                return "must be a BCP 47 language tag of a known language, like en, de-DE or pt-BR";
            }
            return null;
        } catch (IllformedLocaleException e) {
            return "must be a BCP 47 language tag, like en, de-DE or pt-BR";
        }
    }

    /** Canonical form: {@code DE-de} → {@code de-DE}. */
    static String canonicalLocale(String tag) {
        return new Locale.Builder().setLanguageTag(tag).build().toLanguageTag();
    }

    public static List<Problem.FieldError> check(String locale, String timezone, String currency, String theme,
            CurrencyCatalog currencies) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (locale != null) {
            String e = localeError(locale);
            if (e != null) {
                errors.add(new Problem.FieldError("locale", e));
            }
        }
        if (timezone != null && !ZONES.contains(timezone)) {
            errors.add(new Problem.FieldError("timezone", "must be an IANA time zone id, like Europe/Berlin"));
        }
        if (currency != null && !currencies.knows(currency)) {
            errors.add(new Problem.FieldError("currency",
                    "must be an ISO 4217 code the rates service has rates for, like EUR or USD"));
        }
        if (theme != null && !THEMES.contains(theme)) {
            errors.add(new Problem.FieldError("theme", "must be light, dark or system"));
        }
        return errors;
    }

    public static void require(List<Problem.FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ProblemException(ProblemType.VALIDATION, null, "One or more fields are invalid", errors, null,
                    null);
        }
    }

    public static SettingsValue canonical(SettingsValue v) {
        return new SettingsValue(canonicalLocale(v.locale()), v.timezone(), v.currency(), v.theme(), v.version());
    }
}
