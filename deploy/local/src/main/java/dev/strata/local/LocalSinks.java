package dev.strata.local;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Where the local run's e-mail and text messages go, so flows that send a code can be finished on one machine:
 * <ul>
 * <li>a real SMTP server (GreenMail, no authentication, no TLS) that the services' mailer sends to;</li>
 * <li>an HTTP endpoint on loopback to read it: {@code GET /mail?to=<address>} (JSON, oldest first, with the text),
 * {@code GET /mail/latest?to=<address>} (the newest one's text, for scripts), both optionally
 * {@code &subject=<part of the subject>}, and {@code DELETE /mail};</li>
 * <li>an SMS provider stand-in on the same port, speaking auth-service's provider protocol: {@code POST /sms}
 * {@code {"to","message"}} is logged and kept, {@code GET /sms?to=<number>} reads it back.</li>
 * </ul>
 * Messages live in memory only: a restart forgets them (codes stay checkable; ask for a new one to see it).
 */
final class LocalSinks {

    private final Vertx vertx;
    private final List<JsonObject> texts = new ArrayList<>();
    private GreenMail greenMail;
    private HttpServer http;
    private long poller = -1;
    private int announced;

    LocalSinks(Vertx vertx) {
        this.vertx = vertx;
    }

    Future<HttpServer> start(int smtpPort, int httpPort) {
        greenMail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        // one console line per mail received, so a developer sees it arrive
        poller = vertx.setPeriodic(500, id -> announceNew());
        http = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(httpPort)
                .setHttp2ClearTextEnabled(false));
        http.requestHandler(this::handle);
        return http.listen();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        try {
            switch (req.method().name() + " " + path) {
                case "GET /mail" -> json(req, 200, mails(req.getParam("to"), req.getParam("subject")).encodePrettily());
                case "GET /mail/latest" -> {
                    JsonArray all = mails(req.getParam("to"), req.getParam("subject"));
                    if (all.isEmpty()) {
                        req.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no mail\n");
                    } else {
                        JsonObject m = all.getJsonObject(all.size() - 1);
                        req.response().putHeader("Content-Type", "text/plain; charset=utf-8")
                                .end("To: " + m.getString("to") + "\nSubject: " + m.getString("subject") + "\n\n"
                                        + m.getString("text"));
                    }
                }
                case "DELETE /mail" -> {
                    greenMail.purgeEmailFromAllMailboxes();
                    announced = 0;
                    req.response().setStatusCode(204).end();
                }
                case "POST /sms" -> req.body().onSuccess(body -> sms(req, body));
                case "GET /sms" -> json(req, 200, texts(req.getParam("to")).encodePrettily());
                case "GET /healthz" -> json(req, 200, "{\"status\":\"UP\"}");
                default -> json(req, 404, "{\"status\":404,\"detail\":\"GET /mail?to=, GET /mail/latest?to=,"
                        + " DELETE /mail, POST /sms, GET /sms?to=\"}");
            }
        } catch (Exception e) {
            json(req, 500, new JsonObject().put("status", 500).put("detail", String.valueOf(e.getMessage())).encode());
        }
    }

    private void sms(HttpServerRequest req, Buffer body) {
        JsonObject m;
        try {
            m = body.toJsonObject();
        } catch (RuntimeException e) {
            json(req, 400, "{\"status\":400,\"detail\":\"expected JSON {\\\"to\\\",\\\"message\\\"}\"}");
            return;
        }
        if (m.getString("to") == null || m.getString("message") == null) {
            json(req, 400, "{\"status\":400,\"detail\":\"expected JSON {\\\"to\\\",\\\"message\\\"}\"}");
            return;
        }
        JsonObject kept = new JsonObject().put("to", m.getString("to")).put("message", m.getString("message"))
                .put("receivedAt", Instant.now().toString());
        synchronized (texts) {
            texts.add(kept);
        }
        StrataLocal.log("[sms] to " + kept.getString("to") + ": " + kept.getString("message"));
        json(req, 202, "{\"status\":\"accepted\"}");
    }

    private JsonArray texts(String to) {
        JsonArray out = new JsonArray();
        synchronized (texts) {
            texts.stream().filter(t -> to == null || to.equals(t.getString("to"))).forEach(out::add);
        }
        return out;
    }

    /** Mails to an address (substring, any case), optionally with a subject containing {@code subject}. */
    JsonArray mails(String to, String subject) throws MessagingException, IOException {
        JsonArray out = new JsonArray();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            String recipients = addresses(m.getRecipients(Message.RecipientType.TO));
            if (to != null && !recipients.toLowerCase(Locale.ROOT).contains(to.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (subject != null && (m.getSubject() == null
                    || !m.getSubject().toLowerCase(Locale.ROOT).contains(subject.toLowerCase(Locale.ROOT)))) {
                continue;
            }
            out.add(new JsonObject().put("from", addresses(m.getFrom())).put("to", recipients)
                    .put("subject", m.getSubject())
                    .put("sentAt", m.getSentDate() == null ? null : m.getSentDate().toInstant().toString())
                    .put("text", text(m)));
        }
        return out;
    }

    private void announceNew() {
        MimeMessage[] all = greenMail.getReceivedMessages();
        for (int i = announced; i < all.length; i++) {
            try {
                StrataLocal.log("[mail] to " + addresses(all[i].getRecipients(Message.RecipientType.TO)) + ": "
                        + all[i].getSubject());
            } catch (MessagingException e) {
                StrataLocal.log("[mail] (unreadable message: " + e.getMessage() + ")");
            }
        }
        announced = all.length;
    }

    private static String addresses(Address[] list) {
        if (list == null) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (Address a : list) {
            out.add(a.toString());
        }
        return String.join(", ", out);
    }

    /** The plain-text part (or the HTML one when there is nothing else), as the recipient would read it. */
    private static String text(jakarta.mail.Part p) throws MessagingException, IOException {
        Object content = p.getContent();
        if (content instanceof String s) {
            return s;
        }
        if (content instanceof Multipart mp) {
            String html = null;
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart part = mp.getBodyPart(i);
                if (part.isMimeType("text/plain")) {
                    return (String) part.getContent();
                }
                String nested = part.isMimeType("multipart/*") ? text(part)
                        : part.isMimeType("text/html") ? (String) part.getContent() : null;
                if (nested != null && html == null) {
                    html = nested;
                }
            }
            return html;
        }
        return null;
    }

    private static void json(HttpServerRequest req, int status, String body) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    void stop() {
        if (poller >= 0) {
            vertx.cancelTimer(poller);
        }
        if (http != null) {
            http.close();
        }
        if (greenMail != null) {
            greenMail.stop();
        }
    }
}
