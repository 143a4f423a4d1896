package dev.strata.auth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The outside world of auth-service, for real, inside the test JVM: an SMTP server (GreenMail), an SMS provider
 * (a JDK HTTP server recording what it is sent) and an OIDC provider (mock-oauth2-server).
 */
public class AuthTestServers implements QuarkusTestResourceLifecycleManager {

    public static final String SMS_KEY = "sms-test-key";
    public static final String OIDC_ISSUER_ID = "mockidp";

    static GreenMail mail;
    static HttpServer sms;
    static MockOAuth2Server oidc;
    /** Bodies the SMS provider received (with their Authorization header on the first line). */
    static final LinkedBlockingQueue<String> SMS_INBOX = new LinkedBlockingQueue<>();
    static volatile int smsStatus = 200;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (mail == null) {
                mail = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
                mail.start();
                sms = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                sms.createContext("/messages", exchange -> {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    SMS_INBOX.add(exchange.getRequestHeaders().getFirst("Authorization") + "\n" + body);
                    exchange.sendResponseHeaders(smsStatus, -1);
                    exchange.close();
                });
                sms.start();
                oidc = new MockOAuth2Server();
                oidc.start(InetAddress.getLoopbackAddress(), freePort());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                "quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", String.valueOf(mail.getSmtp().getPort()),
                "strata.auth.sms.url", "http://127.0.0.1:" + sms.getAddress().getPort() + "/messages",
                "strata.auth.sms.api-key", SMS_KEY,
                "strata.auth.oauth.providers.mock.issuer", oidc.issuerUrl(OIDC_ISSUER_ID).toString(),
                "strata.auth.oauth.providers.mock.client-id", "strata-test-client",
                "strata.auth.oauth.providers.mock.client-secret", "strata-test-secret");
    }

    @Override
    public void stop() {
        // kept for the JVM: every test class shares them
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
