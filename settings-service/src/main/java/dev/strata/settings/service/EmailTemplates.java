package dev.strata.settings.service;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;

/**
 * Renders an event as an e-mail in the user's language with the Qute templates under
 * {@code templates/email/<key>.<lang>.txt}: the first line is the subject, the rest the plain-text body (sent also
 * as simple HTML, escaped).
 * Languages: {@code en} and {@code de} (by the locale's language: {@code de-CH} is German); anything else is
 * English. An event type without a template of its own uses {@code alert} (for {@code alerts.*}) or
 * {@code generic}.
 */
@ApplicationScoped
public class EmailTemplates {

    public static final Set<String> LANGUAGES = Set.of("en", "de");
    static final Set<String> OWN = Set.of("kyc.approved", "kyc.rejected", "kyc.additional_info_required",
            "kyc.expired", "accounts.sessions_revoked", "accounts.password_changed", "accounts.linked",
            "accounts.unlinked", "accounts.wallet_linked", "accounts.wallet_unlinked", "alerts.webhook_disabled",
            "transfers.sent", "transfers.received", "sessions.created", "accounts.passkey_added",
            "accounts.passkey_removed", "accounts.mfa_enabled", "accounts.mfa_disabled", "accounts.password_reset",
            "accounts.email_changed");

    /** A rendered message: the plain text, and the same as simple HTML. */
    public record Message(String language, String subject, String text) {

        /** The text as HTML: escaped, a paragraph per block, line breaks kept. */
        public String html() {
            StringBuilder b = new StringBuilder("<!DOCTYPE html><html lang=\"").append(language)
                    .append("\"><head><meta charset=\"utf-8\"><title>").append(escape(subject))
                    .append("</title></head><body style=\"font-family:sans-serif;line-height:1.4\">");
            for (String paragraph : text.strip().split("\\n\\s*\\n")) {
                b.append("<p>").append(escape(paragraph.strip()).replace("\n", "<br>\n")).append("</p>\n");
            }
            return b.append("</body></html>\n").toString();
        }

        private static String escape(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '<' -> b.append("&lt;");
                    case '>' -> b.append("&gt;");
                    case '&' -> b.append("&amp;");
                    case '"' -> b.append("&quot;");
                    case '\'' -> b.append("&#39;");
                    default -> b.append(c);
                }
            }
            return b.toString();
        }
    }

    private final Engine engine;

    public EmailTemplates(Engine engine) {
        this.engine = engine;
    }

    /** The template language for a BCP 47 locale: its language if there are templates in it, else English. */
    public static String language(String locale) {
        if (locale == null || locale.isBlank()) {
            return "en";
        }
        String lang = Locale.forLanguageTag(locale.trim()).getLanguage().toLowerCase(Locale.ROOT);
        return LANGUAGES.contains(lang) ? lang : "en";
    }

    /** The template key of an event type. */
    public static String key(String type) {
        if (type != null && OWN.contains(type)) {
            return type;
        }
        return type != null && type.startsWith("alerts.") ? "alert" : "generic";
    }

    public Message render(String type, Map<String, Object> data, Instant occurredAt, String locale) {
        String lang = language(locale);
        String key = key(type);
        Template t = engine.getTemplate("email/" + key + "." + lang + ".txt");
        if (t == null) {
            lang = "en";
            t = engine.getTemplate("email/" + key + ".en.txt");
        }
        if (t == null) {
            throw new IllegalStateException("no e-mail template for " + key);
        }
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format((occurredAt == null ? Instant.now() : occurredAt).atOffset(ZoneOffset.UTC));
        String out = t.data("data", data == null ? Map.of() : data).data("type", String.valueOf(type))
                .data("occurredAt", when).render();
        String trimmed = out.stripLeading();
        int nl = trimmed.indexOf('\n');
        String subject = (nl < 0 ? trimmed : trimmed.substring(0, nl)).strip();
        String body = nl < 0 ? "" : trimmed.substring(nl + 1).strip() + "\n";
        return new Message(lang, subject, body);
    }
}
