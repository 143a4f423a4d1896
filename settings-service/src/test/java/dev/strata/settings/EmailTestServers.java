package dev.strata.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.strata.testing.Ports;

/**
 * The e-mail tests' outside world, one per JVM: a real SMTP server (GreenMail, which a test may stop and start
 * again on the same port), and {@link AuthStandIn} for the addresses.
 */
public final class EmailTestServers {

    private static EmailTestServers instance;

    private final int smtpPort = Ports.free();
    private volatile GreenMail smtp;

    private EmailTestServers() {
        startSmtp();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopSmtp));
    }

    static synchronized EmailTestServers get() {
        if (instance == null) {
            instance = new EmailTestServers();
        }
        return instance;
    }

    /** What auth-service says about this user from now on. */
    void user(String id, String email, boolean verified) {
        AuthStandIn.user(id, email, verified);
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
                    Map.entry("strata.settings.auth.url", AuthStandIn.url()),
                    Map.entry("strata.settings.auth.token", AuthStandIn.TOKEN),
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
