package dev.strata.platform.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start with a placeholder secret (the {@code change-me-…} values of {@code secrets.example.env}, or
 * other obvious stand-ins): a deployment that forgot to fill a Secret must fail loudly, not run with a known key.
 */
@Singleton
public class PlaceholderSecrets {

    /** Property names that hold secrets. */
    static final Pattern SECRET_NAME = Pattern.compile(
            ".*(token|password|secret-key|signing-key|verify-keys|pepper|encryption\\.keys|callers\\..+)$");
    private static final List<String> PLACEHOLDERS = List.of("change-me", "changeme", "replace-me", "todo", "xxx");

    void check(@Observes StartupEvent event) {
        Config config = ConfigProvider.getConfig();
        List<String> bad = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            if (!SECRET_NAME.matcher(name).matches()) {
                continue;
            }
            config.getOptionalValue(name, String.class).filter(PlaceholderSecrets::isPlaceholder)
                    .ifPresent(v -> bad.add(name));
        }
        if (!bad.isEmpty()) {
            throw new IllegalStateException("placeholder values for secrets " + bad
                    + ": set real ones (see deploy/kubernetes/secrets.example.env)");
        }
    }

    static boolean isPlaceholder(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        // a key list like "k1:change-me…" counts too
        String body = v.contains(":") ? v.substring(v.indexOf(':') + 1) : v;
        return PLACEHOLDERS.stream().anyMatch(p -> v.startsWith(p) || body.startsWith(p));
    }
}
