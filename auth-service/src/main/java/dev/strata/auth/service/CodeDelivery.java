package dev.strata.auth.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.strata.auth.config.AuthConfig;
import dev.strata.platform.problem.ProblemException;

/** Sends codes: e-mail over SMTP (quarkus-mailer), SMS through the configured HTTP provider. */
@ApplicationScoped
public class CodeDelivery {

    private final ReactiveMailer mailer;
    private final WebClient http;
    private final AuthConfig config;

    public CodeDelivery(ReactiveMailer mailer, Vertx vertx, AuthConfig config) {
        this.mailer = mailer;
        this.config = config;
        this.http = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) config.sms().timeout().toMillis()).setUserAgent("strata-auth-service"));
    }

    public Uni<Void> email(String to, String code) {
        long minutes = config.codes().ttl().toMinutes();
        return mail(to, config.codes().emailSubject(),
                "Your Strata verification code is " + code + ".\n\nIt expires in " + minutes
                        + " minutes. If you did not ask for it, ignore this message.\n");
    }

    /** A plain-text message (reset links, e-mail change codes and notices). */
    public Uni<Void> mail(String to, String subject, String text) {
        return mailer.send(Mail.withText(to, subject, text))
                .onFailure().transform(e -> ProblemException.dependencyDown("mail server", e));
    }

    public Uni<Void> sms(String to, String code) {
        String url = config.sms().url().orElse(null);
        if (url == null) {
            return Uni.createFrom().failure(ProblemException.dependencyDown("SMS provider (not configured)", null));
        }
        HttpRequest<io.vertx.mutiny.core.buffer.Buffer> req = http.postAbs(url)
                .timeout(config.sms().timeout().toMillis());
        config.sms().apiKey().ifPresent(k -> req.bearerTokenAuthentication(k));
        JsonObject body = new JsonObject().put("to", to).put("message", "Your Strata verification code is " + code);
        return req.sendJsonObject(body).onItem().transformToUni(r -> r.statusCode() / 100 == 2
                ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(new IllegalStateException("SMS provider answered " + r.statusCode())))
                .onFailure().transform(e -> e instanceof ProblemException ? e
                        : ProblemException.dependencyDown("SMS provider", e));
    }
}
