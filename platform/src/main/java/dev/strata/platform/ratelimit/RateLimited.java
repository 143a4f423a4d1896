package dev.strata.platform.ratelimit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Applies named policies ({@code strata.rate-limit.policies.<name>.*}) to an endpoint. Each policy's subject
 * (client IP, account, or both) comes from its configuration. Every listed policy must admit the request.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimited {
    String[] value();
}
