package dev.strata.platform.internal;

import java.util.Map;

import io.smallrye.config.ConfigMapping;

/** One credential per calling service: {@code strata.internal.callers.<service>=<token>} (from Secrets). */
@ConfigMapping(prefix = "strata.internal")
public interface InternalCallers {

    Map<String, String> callers();

    /** The older credential shared by every service (caller {@code shared}). */
    java.util.Optional<String> token();
}
