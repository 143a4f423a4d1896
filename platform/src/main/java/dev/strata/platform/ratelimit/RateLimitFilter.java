package dev.strata.platform.ratelimit;

import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Enforces {@link RateLimited} on resource methods and adds the RateLimit-* headers to admitted responses. */
public class RateLimitFilter {

    private static final String DECISION = RateLimitFilter.class.getName() + ".decision";
    private static final String[] NONE = new String[0];

    private final RateLimiter limiter;
    private final ClientIpResolver clientIp;
    private final CurrentIdentityAssociation identity;
    private final Map<String, String[]> policiesByMethod = new ConcurrentHashMap<>();

    public RateLimitFilter(RateLimiter limiter, ClientIpResolver clientIp, CurrentIdentityAssociation identity) {
        this.limiter = limiter;
        this.clientIp = clientIp;
        this.identity = identity;
    }

    @ServerRequestFilter
    public Uni<Void> limit(ContainerRequestContext ctx, ResourceInfo info, HttpServerRequest request) {
        String[] policies = info instanceof ResteasyReactiveResourceInfo rr
                ? policiesByMethod.computeIfAbsent(rr.getMethodId(), k -> annotated(rr))
                : NONE;
        if (policies.length == 0) {
            return Uni.createFrom().voidItem();
        }
        String ip = clientIp.resolve(request);
        Uni<SecurityIdentity> who = needsAccount(policies) ? identity.getDeferredIdentity()
                : Uni.createFrom().nullItem();
        return who.chain(id -> {
            String account = id == null || id.isAnonymous() ? null : id.getPrincipal().getName();
            Uni<List<Decision>> all = Uni.createFrom().item(new ArrayList<>());
            for (String policy : policies) {
                String subject = subject(limiter.policy(policy).subject(), ip, account);
                all = all.chain(list -> limiter.check(policy, subject).map(d -> {
                    list.add(d);
                    return list;
                }));
            }
            return all;
        }).map(decisions -> {
            Decision tightest = decisions.get(0);
            for (Decision d : decisions) {
                if (!d.allowed()) {
                    throw limiter.rejected(d);
                }
                if (d.remaining() < tightest.remaining()) {
                    tightest = d;
                }
            }
            ctx.setProperty(DECISION, tightest);
            return null;
        });
    }

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        Object d = request.getProperty(DECISION);
        if (d instanceof Decision decision) {
            decision.headers().forEach((k, v) -> response.getHeaders().putSingle(k, v));
        }
    }

    private static String subject(RateLimitConfig.Subject kind, String address, String account) {
        String ip = ClientIpResolver.limitKey(address);
        return switch (kind) {
            case IP -> "ip:" + ip;
            // anonymous callers of an account-limited endpoint are counted by address instead
            case ACCOUNT -> account != null ? "account:" + account : "ip:" + ip;
            case IP_AND_ACCOUNT -> "ip:" + ip + "|account:" + (account == null ? "-" : account);
        };
    }

    private boolean needsAccount(String[] policies) {
        for (String p : policies) {
            if (limiter.policy(p).subject() != RateLimitConfig.Subject.IP) {
                return true;
            }
        }
        return false;
    }

    /** Annotations as RESTEasy recorded them at build time: no reflection on the request path. */
    private static String[] annotated(ResteasyReactiveResourceInfo info) {
        for (Annotation a : info.getAnnotations()) {
            if (a instanceof RateLimited r) {
                return r.value();
            }
        }
        RateLimited onType = info.getResourceClass().getAnnotation(RateLimited.class);
        return onType != null ? onType.value() : NONE;
    }
}
