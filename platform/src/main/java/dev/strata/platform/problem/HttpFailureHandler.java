package dev.strata.platform.problem;

import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Errors decided inside Vert.x, before RESTEasy sees the request, still answer with a problem document: a body
 * declared larger than the limit is refused here with 413 before a byte of it is read, and failures with a
 * 4xx status end as problems too.
 */
@Singleton
public class HttpFailureHandler {

    private final long maxBody;

    public HttpFailureHandler(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBody) {
        this.maxBody = maxBody.map(MemorySize::asLongValue).orElse(10L * 1024 * 1024);
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && tooLarge(length)) {
                // the client may still be sending: close once answered rather than read the rest
                ctx.response().putHeader("Connection", "close");
                end(ctx, 413, "The request body is too large (limit " + maxBody + " bytes)");
                return;
            }
            ctx.next();
        });
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            int status = ctx.statusCode();
            if (ctx.response().headWritten() || status < 400 || status >= 500) {
                ctx.next();
                return;
            }
            end(ctx, status, ProblemType.forStatus(status).title());
        });
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBody;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void end(RoutingContext ctx, int status, String detail) {
        ProblemType type = ProblemType.forStatus(status);
        Problem p = new Problem(type.uri(), type.title(), status, detail, ctx.normalizedPath(), null);
        ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE).end(Json.encode(p));
    }
}
