package dev.berth.config;

import java.time.Duration;

/** Bounds of the backend connection pool; see DESIGN.md, "Pool contract". */
public record PoolConfig(PoolMode mode, int maxOpenConns, Duration acquireTimeout) {

    public static final int DEFAULT_MAX_OPEN_CONNS = 32;
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    public PoolConfig {
        if (maxOpenConns < 1) {
            throw new IllegalArgumentException("--max-open-conns must be at least 1, got " + maxOpenConns);
        }
        if (acquireTimeout.isNegative() || acquireTimeout.isZero()) {
            throw new IllegalArgumentException("--acquire-timeout must be positive, got " + acquireTimeout);
        }
    }

    public static PoolConfig defaults() {
        return new PoolConfig(PoolMode.SESSION, DEFAULT_MAX_OPEN_CONNS, DEFAULT_ACQUIRE_TIMEOUT);
    }
}
