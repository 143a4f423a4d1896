package dev.strata.settings.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Channels, event categories, and what a user gets before choosing anything. */
public final class Notifications {

    public static final List<String> CHANNELS = List.of("email", "push", "webhook");
    public static final List<String> CATEGORIES = List.of("kyc", "security", "transfers", "alerts");

    private Notifications() {
    }

    /**
     * Defaults: everything in the app (push) and to registered webhooks; by e-mail what a user must not miss (KYC
     * decisions, security notices) and alerts, but not every token transfer.
     */
    public static boolean byDefault(String channel, String category) {
        return !("email".equals(channel) && "transfers".equals(category));
    }

    /** The full matrix channel → category → enabled, defaults overlaid with the user's rows. */
    public static Map<String, Map<String, Boolean>> matrix(List<NotificationSetting> rows) {
        Map<String, Map<String, Boolean>> m = new LinkedHashMap<>();
        for (String ch : CHANNELS) {
            Map<String, Boolean> c = new LinkedHashMap<>();
            for (String cat : CATEGORIES) {
                c.put(cat, byDefault(ch, cat));
            }
            m.put(ch, c);
        }
        for (NotificationSetting r : rows) {
            m.get(r.channel).put(r.category, r.enabled);
        }
        return m;
    }
}
