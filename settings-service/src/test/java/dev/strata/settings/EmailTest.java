package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.settings.service.EmailSender;
import dev.strata.settings.service.EmailTemplates;
import dev.strata.testing.StrataServersResource;

/**
 * The e-mail channel end to end: events on the durable streams become one e-mail each, in the user's language,
 * at a real SMTP server (GreenMail), for users auth-service (a stand-in here) knows with a verified address.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = EmailTestServers.Resource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EmailTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    SessionStore sessions;
    @Inject
    RedisDataSource redis;
    @Inject
    Pool pool;
    @Inject
    EmailSender sender;
    @Inject
    EmailTemplates templates;

    final EmailTestServers servers = EmailTestServers.get();

    @AfterEach
    void smtpBackUp() {
        servers.startSmtp();
    }

    /** A signed-in user whom auth-service knows with this verification state. */
    TestSessions.Minted user(boolean verified) {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        servers.user(me.userId(), address(me), verified);
        return me;
    }

    static String address(TestSessions.Minted who) {
        return "u-" + who.userId() + "@example.test";
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    List<MimeMessage> mails(TestSessions.Minted who) {
        try {
            return servers.received(address(who));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    List<MimeMessage> awaitMails(TestSessions.Minted who, int n) throws InterruptedException {
        await(n + " e-mail(s) to " + address(who), () -> mails(who).size() >= n);
        return mails(who);
    }

    /** The plain-text part. */
    static String body(MimeMessage m) throws Exception {
        return part(m, "text/plain");
    }

    static String part(MimeMessage m, String type) throws Exception {
        Object content = m.getContent();
        if (content instanceof String s) {
            return m.isMimeType(type) ? s : null;
        }
        jakarta.mail.Multipart multi = (jakarta.mail.Multipart) content;
        for (int i = 0; i < multi.getCount(); i++) {
            if (multi.getBodyPart(i).isMimeType(type)) {
                return String.valueOf(multi.getBodyPart(i).getContent());
            }
        }
        return null;
    }

    /** The user's outbox rows: type → [status, attempts, last_error]. */
    List<Row> outbox(TestSessions.Minted who) {
        List<Row> out = new java.util.ArrayList<>();
        pool.preparedQuery("select event_type, status, attempts, last_error from settings.email_outbox"
                + " where user_id = $1 order by created_at").execute(Tuple.of(UUID.fromString(who.userId())))
                .await().atMost(Duration.ofSeconds(10)).forEach(out::add);
        return out;
    }

    @Test
    void aKycApprovalIsOneMailInTheUsersLanguageHoweverOftenItIsDelivered() throws Exception {
        TestSessions.Minted de = user(true);
        TestSessions.Minted en = user(true);
        TestSessions.Minted fr = user(true);
        given().auth().oauth2(de.token()).contentType("application/merge-patch+json").body("{\"locale\":\"de-CH\"}")
                .patch("/api/settings/me").then().statusCode(200);
        given().auth().oauth2(fr.token()).contentType("application/merge-patch+json").body("{\"locale\":\"fr-FR\"}")
                .patch("/api/settings/me").then().statusCode(200);

        EventEnvelope approved = Events.kycDecision(de.userId(), "approved");
        Events.xadd(redis, approved);
        Events.xadd(redis, approved); // redelivered
        Events.xadd(redis, Events.kycDecision(en.userId(), "approved"));
        Events.xadd(redis, Events.kycDecision(fr.userId(), "approved"));
        // after the duplicate on the same stream: once this one is mailed, the duplicate was handled too
        Events.xadd(redis, Events.kycDecision(de.userId(), "expired"));

        List<MimeMessage> toDe = awaitMails(de, 2);
        await("both de rows sent", () -> outbox(de).stream().allMatch(r -> "sent".equals(r.getString(1))));
        assertEquals(2, mails(de).size(), "the approval once, the expiry once");
        MimeMessage approval = toDe.stream().filter(m -> subject(m).contains("bestätigt")).findFirst().orElseThrow();
        assertEquals("Ihre Identitätsprüfung wurde bestätigt", approval.getSubject());
        String text = body(approval);
        assertTrue(text.contains("gute Nachrichten: Ihre Identitätsprüfung wurde bestätigt"), text);
        assertTrue(text.contains("Referenz: " + approved.data().get("applicationId")), text);
        assertTrue(text.contains("Ihr Strata-Team"), text);
        String html = part(approval, "text/html");
        assertTrue(html != null && html.contains("<html lang=\"de\">")
                && html.contains("<p>gute Nachrichten: Ihre Identitätsprüfung wurde bestätigt"), html);
        assertEquals("Ihre Identitätsprüfung ist abgelaufen",
                toDe.stream().filter(m -> m != approval).findFirst().orElseThrow().getSubject());
        assertEquals(2, outbox(de).size(), "one row per event");

        MimeMessage english = awaitMails(en, 1).get(0);
        assertEquals("Your identity verification was approved", english.getSubject());
        assertTrue(body(english).contains("your identity verification has been approved"), body(english));
        assertTrue(body(english).contains("Your Strata team"));
        // no French templates: English
        assertEquals("Your identity verification was approved", awaitMails(fr, 1).get(0).getSubject());
        assertEquals(1, mails(en).size());
        assertEquals(1, mails(fr).size());
    }

    @Test
    void signingOutEverywhereIsMailed() throws Exception {
        TestSessions.Minted me = user(true);
        Events.xadd(redis, Events.account(me.userId(), "sessions_revoked"));
        MimeMessage m = awaitMails(me, 1).get(0);
        assertEquals("All your sessions were signed out", m.getSubject());
        assertTrue(body(m).contains("all your sessions were signed out"), body(m));
        assertTrue(body(m).contains("2 session(s) ended"), body(m));
        assertEquals(address(me), m.getAllRecipients()[0].toString());
        given().port(management.getPort()).get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("strata_notifications_emails_total{outcome=\"sent\"}"));
    }

    @Test
    void everyTemplateRendersInEveryLanguageWithOrWithoutOptionalData() {
        List<String> types = List.of("kyc.approved", "kyc.rejected", "kyc.additional_info_required", "kyc.expired",
                "accounts.sessions_revoked", "accounts.password_changed", "accounts.linked", "accounts.unlinked",
                "alerts.webhook_disabled", "alerts.price", "transfers.received", "transfers.sent",
                "accounts.wallet_linked", "accounts.wallet_unlinked", "sessions.created", "accounts.passkey_added", "accounts.passkey_removed",
                "accounts.mfa_enabled", "accounts.mfa_disabled", "accounts.password_reset", "accounts.email_changed",
                "something.else");
        Map<String, Object> full = Map.ofEntries(Map.entry("applicationId", "app-1"), Map.entry("userId", "u"),
                Map.entry("reason", "blurry photo"), Map.entry("provider", "google"), Map.entry("count", 3),
                Map.entry("webhookId", "wh-1"), Map.entry("url", "https://example.test/hook"),
                Map.entry("message", "EUR/USD moved"), Map.entry("address", "0xabc"), Map.entry("from", "0xf"),
                Map.entry("to", "0xt"), Map.entry("amount", "12.5"), Map.entry("tokenAddress", "0xtok"),
                Map.entry("txHash", "0xtx"), Map.entry("ip", "203.0.113.7"), Map.entry("userAgent", "Firefox"),
                Map.entry("name", "YubiKey"), Map.entry("method", "totp"), Map.entry("sessionsRevoked", 2),
                Map.entry("email", "new@example.test"), Map.entry("previousEmail", "old@example.test"));
        for (String type : types) {
            for (String locale : List.of("en", "de", "de-CH", "fr", "")) {
                for (Map<String, Object> data : List.of(Map.<String, Object>of(), full)) {
                    EmailTemplates.Message m = templates.render(type, data, java.time.Instant.now(), locale);
                    String what = type + "/" + locale + "/" + data.size();
                    assertEquals(locale.startsWith("de") ? "de" : "en", m.language(), what);
                    assertTrue(!m.subject().isBlank() && !m.subject().contains("\n"), what);
                    assertTrue(m.text().contains(m.language().equals("de") ? "Ihr Strata-Team" : "Your Strata team"),
                            what + ": " + m.text());
                }
            }
        }
        EmailTemplates.Message hook = templates.render("alerts.webhook_disabled", full, java.time.Instant.now(), "de");
        assertEquals("Ihr Webhook wurde deaktiviert", hook.subject());
        assertTrue(hook.text().contains("https://example.test/hook") && hook.text().contains("wh-1")
                && hook.text().contains("blurry photo"), hook.text());
        EmailTemplates.Message evil = templates.render("alerts.webhook_disabled",
                Map.of("url", "https://x.test/<script>alert(1)</script>"), java.time.Instant.now(), "en");
        assertTrue(evil.html().contains("&lt;script&gt;") && !evil.html().contains("<script>"), evil.html());
        EmailTemplates.Message rejected = templates.render("kyc.rejected", full, java.time.Instant.now(), "en");
        assertTrue(rejected.text().contains("Reason: blurry photo"), rejected.text());
        assertTrue(!templates.render("kyc.rejected", Map.of(), java.time.Instant.now(), "en").text().contains("Reason"));
    }

    @Test
    void aUserWhoTurnedEmailOffForACategoryGetsNone() throws Exception {
        TestSessions.Minted me = user(true);
        TestSessions.Minted other = user(true);
        Map<String, Object> on = Map.of("kyc", true, "security", true, "transfers", true, "alerts", true);
        Map<String, Object> noKyc = Map.of("kyc", false, "security", true, "transfers", true, "alerts", true);
        given().auth().oauth2(me.token()).contentType("application/json")
                .body(Map.of("channels", Map.of("email", noKyc, "push", on, "webhook", on)))
                .put("/api/settings/me/notifications").then().statusCode(200);
        Events.xadd(redis, Events.kycDecision(me.userId(), "approved"));
        // the next event on the same stream: mailed only after mine was handled
        Events.xadd(redis, Events.kycDecision(other.userId(), "approved"));
        Events.xadd(redis, Events.account(me.userId(), "password_changed"));

        awaitMails(other, 1);
        MimeMessage m = awaitMails(me, 1).get(0);
        assertEquals("Your password was changed", m.getSubject());
        assertEquals(1, mails(me).size());
        assertEquals(List.of("accounts.password_changed"), outbox(me).stream().map(r -> r.getString(0)).toList());
    }

    @Test
    void unverifiedOrUnknownAddressesAreSkipped() throws Exception {
        TestSessions.Minted unverified = user(false);
        TestSessions.Minted unknown = TestSessions.mint(sessions, "user"); // auth-service answers 404
        TestSessions.Minted verified = user(true);
        Events.xadd(redis, Events.kycDecision(unverified.userId(), "approved"));
        Events.xadd(redis, Events.kycDecision(unknown.userId(), "rejected"));
        Events.xadd(redis, Events.kycDecision(verified.userId(), "rejected"));

        await("skipped", () -> outbox(unverified).stream().anyMatch(r -> "skipped".equals(r.getString(1))));
        assertEquals("e-mail address not verified", outbox(unverified).get(0).getString(3));
        await("skipped", () -> outbox(unknown).stream().anyMatch(r -> "skipped".equals(r.getString(1))));
        assertEquals("no such user", outbox(unknown).get(0).getString(3));
        assertEquals("Your identity verification was declined", awaitMails(verified, 1).get(0).getSubject());
        assertEquals(0, mails(unverified).size());
    }

    @Test
    void whileSmtpIsDownTheMailWaitsAndIsSentOnceWhenItIsBack() throws Exception {
        TestSessions.Minted me = user(true);
        servers.stopSmtp();
        Events.xadd(redis, Events.kycDecision(me.userId(), "additional_info_required"));
        await("two failed attempts", () -> {
            List<Row> rows = outbox(me);
            return rows.size() == 1 && "pending".equals(rows.get(0).getString(1)) && rows.get(0).getInteger(2) >= 2
                    && String.valueOf(rows.get(0).getString(3)).startsWith("smtp");
        });
        servers.startSmtp();
        MimeMessage m = awaitMails(me, 1).get(0);
        assertEquals("We need more information for your identity verification", m.getSubject());
        await("sent", () -> "sent".equals(outbox(me).get(0).getString(1)));
        assertEquals(1, mails(me).size(), "sent once");
    }

    @Test
    void twoReplicasClaimingAtOnceNeverTakeTheSameRow() throws Exception {
        sender.stop();
        try {
            await("the sender's round to end", () -> !sender.busy());
            List<UUID> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id);
                pool.preparedQuery("insert into settings.email_outbox (id, user_id, event_id, event_type, category,"
                        + " data, occurred_at) values ($1, $2, $3, 'kyc.approved', 'kyc', '{}'::jsonb, now())")
                        .execute(Tuple.of(id, UUID.randomUUID(), UUID.randomUUID())).await().atMost(WAIT);
            }
            for (int round = 0; round < 3; round++) {
                var both = io.smallrye.mutiny.Uni.combine().all().unis(sender.claim(), sender.claim()).asTuple()
                        .await().atMost(WAIT);
                java.util.Set<UUID> a = new java.util.HashSet<>();
                both.getItem1().forEach(c -> a.add(c.id()));
                for (EmailSender.Claimed c : both.getItem2()) {
                    assertTrue(a.add(c.id()), "claimed by both replicas: " + c.id());
                }
            }
            List<Integer> attempts = new java.util.ArrayList<>();
            pool.preparedQuery("select attempts from settings.email_outbox where id = any($1)")
                    .execute(Tuple.of(ids.toArray(new UUID[0]))).await().atMost(WAIT)
                    .forEach(r -> attempts.add(r.getInteger(0)));
            assertEquals(30, attempts.size());
            assertTrue(attempts.stream().allMatch(n -> n == 1), "each row claimed exactly once: " + attempts);
            pool.preparedQuery("update settings.email_outbox set status = 'skipped', last_error = 'test rows'"
                    + " where id = any($1)").execute(Tuple.of(ids.toArray(new UUID[0]))).await().atMost(WAIT);
        } finally {
            sender.start();
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
