package dev.strata.platform.ratelimit;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.redis.RedisScript;
import dev.strata.platform.problem.ProblemType;
import dev.strata.platform.security.SessionTokens;

/**
 * Redis-backed GCRA limiter: one atomic Lua script per decision, so replicas share one exact count.
 * Redis down → 503 (fail closed): an unlimited sign-in endpoint is worse than an unavailable one.
 */
@ApplicationScoped
public class RateLimiter {

    static final String KEY_PREFIX = "ratelimit:";
    // inline rather than a resource: nothing to register for native images
    private static final String SCRIPT = """
-- GCRA (generic cell rate algorithm): one key per policy+subject holding the theoretical arrival time (TAT)
-- in microseconds. Up to `limit` requests may arrive at once; after that one per `period/limit`.
-- KEYS[1] = bucket key; ARGV[1] = limit; ARGV[2] = period in microseconds; ARGV[3] = '1' to look without counting
-- Returns {allowed (0/1), remaining, retry_after_ms, reset_ms}
redis.replicate_commands()
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then
  tat = now
end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, math.ceil((allow_at - now) / 1000), math.ceil((tat - now) / 1000)}
end
if ARGV[3] ~= '1' then
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
end
local remaining = math.floor((now - allow_at) / interval)
return {1, remaining, 0, math.ceil((new_tat - now) / 1000)}
            """;
    private static final RedisScript GCRA = new RedisScript(SCRIPT);

    private final ReactiveRedisDataSource redis;
    private final RateLimitConfig config;
    private final MeterRegistry metrics;

    private final java.time.Duration timeout;

    public RateLimiter(ReactiveRedisDataSource redis, RateLimitConfig config, MeterRegistry metrics,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.redis.timeout",
                    defaultValue = "PT3S") java.time.Duration timeout) {
        this.redis = redis;
        this.timeout = timeout;
        this.config = config;
        this.metrics = metrics;
    }

    public RateLimitConfig.Policy policy(String name) {
        RateLimitConfig.Policy p = config.policies().get(name);
        if (p == null) {
            throw new IllegalStateException("no rate-limit policy named '" + name + "' in strata.rate-limit.policies");
        }
        return p;
    }

    /** Decides for {@code subject} under policy {@code name}. */
    public Uni<Decision> check(String name, String subject) {
        return decide(name, subject, false);
    }

    /**
     * Whether a request would be admitted, without counting one: for budgets that only failures spend (count
     * them afterwards with {@link #check}).
     */
    public Uni<Decision> peek(String name, String subject) {
        return decide(name, subject, true);
    }

    private Uni<Decision> decide(String name, String subject, boolean peek) {
        RateLimitConfig.Policy p = policy(name);
        if (!config.enabled()) {
            return Uni.createFrom().item(new Decision(name, true, p.limit(), p.limit(), 0, 0));
        }
        // subjects may be e-mail addresses: hash them so that keys never carry personal data
        String key = KEY_PREFIX + name + ":" + SessionTokens.sha256Hex(subject);
        String period = Long.toString(p.window().toNanos() / 1000);
        // a frozen Redis keeps the connection open and never answers: the deadline makes that a 503 too
        return GCRA.run(redis, List.of(key), Integer.toString(p.limit()), period, peek ? "1" : "0")
                .ifNoItem().after(timeout).fail()
                .onFailure().transform(e -> ProblemException.dependencyDown("rate limiter", e))
                .map(r -> toDecision(name, p, r));
    }

    /** Like {@link #check} but fails with a 429 problem (with headers) when the request is not admitted. */
    public Uni<Decision> enforce(String name, String subject) {
        return require(check(name, subject));
    }

    /** Like {@link #peek} but fails with a 429 problem when the budget is spent. */
    public Uni<Decision> enforcePeek(String name, String subject) {
        return require(peek(name, subject));
    }

    private Uni<Decision> require(Uni<Decision> decision) {
        return decision.map(d -> {
            if (!d.allowed()) {
                throw rejected(d);
            }
            return d;
        });
    }

    ProblemException rejected(Decision d) {
        metrics.counter("strata.rate_limit.rejections", "policy", d.policy()).increment();
        return new ProblemException(ProblemType.RATE_LIMITED, null,
                "Rate limit '" + d.policy() + "' exceeded; retry later", null, d.headers(), null);
    }

    private static Decision toDecision(String name, RateLimitConfig.Policy p, Response r) {
        return new Decision(name, r.get(0).toLong() == 1, p.limit(), r.get(1).toLong(), r.get(2).toLong(),
                r.get(3).toLong());
    }
}
