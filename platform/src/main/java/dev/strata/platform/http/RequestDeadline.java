package dev.strata.platform.http;

import java.time.Duration;

import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;

import dev.strata.platform.problem.Problem;
import dev.strata.platform.problem.ProblemType;

/**
 * The backstop behind every store's own deadline: a request still unanswered after
 * {@code strata.http.request-deadline} (8 s) is answered 503 {@code dependency-unavailable}, whatever it waits
 * for — a call somewhere that forgot its timeout, a driver that never gives up on a frozen server. Nothing is
 * ever a hung request. WebSocket upgrades are long-lived by design and not covered.
 */
@Singleton
public class RequestDeadline {

    private static final Logger LOG = Logger.getLogger(RequestDeadline.class);

    private final Duration deadline;

    public RequestDeadline(@ConfigProperty(name = "strata.http.request-deadline", defaultValue = "PT8S") Duration deadline) {
        this.deadline = deadline;
    }

    void install(@Observes Router router, Vertx vertx) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            if (ctx.request().getHeader("Upgrade") != null) {
                ctx.next();
                return;
            }
            long timer = vertx.setTimer(deadline.toMillis(), id -> {
                if (ctx.response().ended() || ctx.response().headWritten() || ctx.response().closed()) {
                    return;
                }
                LOG.warnf("%s %s unanswered after %s: 503", ctx.request().method(), ctx.normalizedPath(), deadline);
                ProblemType t = ProblemType.DEPENDENCY_UNAVAILABLE;
                Problem p = new Problem(t.uri(), t.title(), t.status(),
                        "The request could not be completed in time", ctx.normalizedPath(), null);
                ctx.response().setStatusCode(503).putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Retry-After", "5").end(Json.encode(p));
            });
            ctx.addEndHandler(v -> vertx.cancelTimer(timer));
            ctx.next();
        });
    }
}
