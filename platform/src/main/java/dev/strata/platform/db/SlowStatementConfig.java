package dev.strata.platform.db;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code strata.db.*}: how statements on the reactive SQL client are watched. */
@ConfigMapping(prefix = "strata.db")
public interface SlowStatementConfig {

    /** A statement that takes longer than this (from being sent to its last row, pool wait excluded) is slow. */
    @WithDefault("100ms")
    Duration slowStatementThreshold();

    /**
     * One WARN line per statement name per this interval at most (the counter still counts every one), so a
     * degraded database does not flood the log.
     */
    @WithDefault("10s")
    Duration slowStatementLogInterval();
}
