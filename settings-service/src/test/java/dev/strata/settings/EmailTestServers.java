package dev.strata.settings;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.json.JsonObject;

import dev.strata.testing.Ports;

/**
 * The e-mail tests' outside world, one per JVM: a real SMTP server (GreenMail, which a test may stop and start
 * again on the same port) and a <em>stand-in for the peer auth-service</em>, which answers its internal contract
 * {@code GET /internal/users/{id}} (bearer credential required; 200 {@code {id, email, emailVerified}} or 404) for
 * the users a test declared with {@link #user}. It is not a store of anything: auth-service owns the users.
 */
public final class EmailTestServers {

    static final String AUTH_TOKEN = "test-settings-at-auth-0123456789abcdef";

    private static EmailTestServers instance;

    private final int smtpPort = Ports.free();
    private volatile GreenMail smtp;
    private final HttpServer authStandIn;
    private final Map<String, JsonObject> users = new ConcurrentHashMap<>();

    private EmailTestServers() {
        startSmtp();
        try {
            authStandIn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        authStandIn.createContext("/internal/users/", exchange -> {
            String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            int status;
            String body;
            String id = exchange.getRequestURI().getPath().substring("/internal/users/".length());
            if (!MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8),
                    ("Bearer " + AUTH_TOKEN).getBytes(StandardCharsets.UTF_8))) {
                status = 401;
                body = "{\"status\":401}";
            } else if (!"GET".equals(exchange.getRequestMethod())) {
                status = 405;
                body = "{\"status\":405}";
            } else if (users.containsKey(id)) {
                status = 200;
                body = users.get(id).encode();
            } else {
                status = 404;
                body = "{\"status\":404}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        authStandIn.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            authStandIn.stop(0);
            stopSmtp();
        }));
    }

    static synchronized EmailTestServers get() {
        if (instance == null) {
            instance = new EmailTestServers();
        }
        return instance;
    }

    /** What auth-service says about this user from now on. */
    void user(String id, String email, boolean verified) {
        users.put(id, new JsonObject().put("id", id).put("email", email).put("emailVerified", verified));
    }

    String authUrl() {
        return "http://127.0.0.1:" + authStandIn.getAddress().getPort();
    }

    int smtpPort() {
        return smtpPort;
    }

    synchronized void stopSmtp() {
        if (smtp != null) {
            smtp.stop();
            smtp = null;
        }
    }

    /** (Re)starts the SMTP server on the same port; what the old one received is gone with it. */
    synchronized void startSmtp() {
        if (smtp == null) {
            GreenMail g = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            g.start();
            smtp = g;
        }
    }

    /** The messages the SMTP server received for {@code address}. */
    List<MimeMessage> received(String address) throws MessagingException {
        GreenMail g = smtp;
        List<MimeMessage> out = new ArrayList<>();
        if (g == null) {
            return out;
        }
        for (MimeMessage m : g.getReceivedMessages()) {
            Address[] to = m.getAllRecipients();
            if (to != null) {
                for (Address a : to) {
                    if (a.toString().equalsIgnoreCase(address)) {
                        out.add(m);
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** The Quarkus test resource: points settings-service at the SMTP server and the auth-service stand-in. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            EmailTestServers s = get();
            return Map.ofEntries(
                    Map.entry("quarkus.mailer.host", "127.0.0.1"),
                    Map.entry("quarkus.mailer.port", String.valueOf(s.smtpPort())),
                    Map.entry("quarkus.mailer.mock", "false"),
                    Map.entry("strata.settings.auth.url", s.authUrl()),
                    Map.entry("strata.settings.auth.token", AUTH_TOKEN),
                    Map.entry("strata.email.sender.enabled", "true"),
                    Map.entry("strata.email.sender.poll-interval", "PT0.2S"),
                    Map.entry("strata.email.sender.backoff-base", "PT0.2S"),
                    Map.entry("strata.email.sender.backoff-cap", "PT1S"),
                    Map.entry("strata.email.sender.max-attempts", "1000"),
                    Map.entry("strata.email.sender.send-timeout", "PT5S"));
        }

        @Override
        public void stop() {
            // the servers live as long as the JVM
        }
    }
}
