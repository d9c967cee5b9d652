package dev.berth.config;

import java.time.Duration;

/**
 * Bounds of the backend connection pool; see docs/ARCHITECTURE.md, "The pool".
 *
 * @param maxIdleConns      idle connections kept; one released beyond this is closed (database/sql's max idle)
 * @param minIdleConns      idle connections kept open even when unused (a warm pool)
 * @param connMaxLifetime   a connection older than this (less a few percent of jitter) is closed, not reused
 * @param connMaxIdleTime   an idle connection unused for this long is closed
 * @param idlePingAfter     a connection idle longer than this is checked with COM_PING before a client gets it
 * @param keepaliveInterval idle connections are pinged this often, to stay below the server's wait_timeout
 * @param maxConnecting     connection attempts in flight at once, so a recovering backend isn't stormed
 * @param maxOpenPerAccount connections open at most for one server account, within max open (0: no cap of its own)
 */
public record PoolConfig(PoolMode mode, int maxOpenConns, int maxIdleConns, int minIdleConns,
                         Duration connMaxLifetime, Duration connMaxIdleTime, Duration acquireTimeout,
                         Duration idlePingAfter, Duration keepaliveInterval, int maxConnecting,
                         int maxOpenPerAccount) {

    public static final int DEFAULT_MAX_OPEN_CONNS = 32;
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CONN_MAX_LIFETIME = Duration.ofHours(1);
    public static final Duration DEFAULT_CONN_MAX_IDLE_TIME = Duration.ofMinutes(10);
    public static final Duration DEFAULT_IDLE_PING_AFTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_CONNECTING = 4;

    public PoolConfig {
        if (maxOpenConns < 1) {
            throw new IllegalArgumentException("--max-open-conns must be at least 1, got " + maxOpenConns);
        }
        if (maxIdleConns < 0 || maxIdleConns > maxOpenConns) {
            throw new IllegalArgumentException("--max-idle-conns must be between 0 and --max-open-conns ("
                    + maxOpenConns + "), got " + maxIdleConns);
        }
        if (minIdleConns < 0 || minIdleConns > maxIdleConns) {
            throw new IllegalArgumentException("--min-idle-conns must be between 0 and --max-idle-conns ("
                    + maxIdleConns + "), got " + minIdleConns);
        }
        positive("--conn-max-lifetime", connMaxLifetime);
        positive("--conn-max-idle-time", connMaxIdleTime);
        positive("--acquire-timeout", acquireTimeout);
        positive("--idle-ping-after", idlePingAfter);
        positive("--keepalive-interval", keepaliveInterval);
        if (maxConnecting < 1) {
            throw new IllegalArgumentException("--max-connecting must be at least 1, got " + maxConnecting);
        }
        if (maxOpenPerAccount < 0 || maxOpenPerAccount > maxOpenConns) {
            throw new IllegalArgumentException("--max-open-conns-per-account must be between 0 (no cap) and "
                    + "--max-open-conns (" + maxOpenConns + "), got " + maxOpenPerAccount);
        }
    }

    /** No cap per account. */
    public PoolConfig(PoolMode mode, int maxOpenConns, int maxIdleConns, int minIdleConns, Duration connMaxLifetime,
                      Duration connMaxIdleTime, Duration acquireTimeout, Duration idlePingAfter,
                      Duration keepaliveInterval, int maxConnecting) {
        this(mode, maxOpenConns, maxIdleConns, minIdleConns, connMaxLifetime, connMaxIdleTime, acquireTimeout,
                idlePingAfter, keepaliveInterval, maxConnecting, 0);
    }

    /** The given bounds, everything else at its default (max idle = max open). */
    public PoolConfig(PoolMode mode, int maxOpenConns, Duration acquireTimeout) {
        this(mode, maxOpenConns, maxOpenConns, 0, DEFAULT_CONN_MAX_LIFETIME, DEFAULT_CONN_MAX_IDLE_TIME,
                acquireTimeout, DEFAULT_IDLE_PING_AFTER, DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_MAX_CONNECTING);
    }

    public static PoolConfig defaults() {
        return new PoolConfig(PoolMode.SESSION, DEFAULT_MAX_OPEN_CONNS, DEFAULT_ACQUIRE_TIMEOUT);
    }

    private static void positive(String flag, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(flag + " must be positive, got " + value);
        }
    }
}
