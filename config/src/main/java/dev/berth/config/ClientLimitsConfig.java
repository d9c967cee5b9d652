package dev.berth.config;

import java.time.Duration;

/**
 * What clients may take of Berth: connections, logins in progress, failed logins.
 *
 * @param maxClientConns      client connections open at once, logged in or not; further ones get ERR 1040
 * @param maxConnsPerUser     logged-in connections per account; 0 for no limit
 * @param maxHandshakeMemory  bytes Berth may hold for clients that have not logged in yet, all together; past it the
 *                            connection that has been logging in longest is refused with ERR 1040
 * @param maxLoginFailures    failed logins from one address within {@code loginFailureWindow} after which that
 *                            address is refused (ERR 1129) until the window ends; 0 turns the throttle off
 * @param loginFailureWindow  how long failed logins from an address are remembered, from its first one
 */
public record ClientLimitsConfig(int maxClientConns, int maxConnsPerUser, long maxHandshakeMemory,
                                 int maxLoginFailures, Duration loginFailureWindow) {

    public static final int DEFAULT_MAX_CLIENT_CONNS = 10_000;
    public static final long DEFAULT_MAX_HANDSHAKE_MEMORY = 16L << 20;
    /** Room for a few hundred logins at the largest packet a login may send; less would refuse real clients. */
    public static final long MIN_HANDSHAKE_MEMORY = 1L << 20;
    public static final int DEFAULT_MAX_LOGIN_FAILURES = 100;
    public static final Duration DEFAULT_LOGIN_FAILURE_WINDOW = Duration.ofMinutes(1);

    public ClientLimitsConfig {
        if (maxClientConns < 1) {
            throw new IllegalArgumentException("--max-client-conns must be at least 1, got " + maxClientConns);
        }
        if (maxConnsPerUser < 0) {
            throw new IllegalArgumentException("--max-conns-per-user must be 0 (no limit) or more, got "
                    + maxConnsPerUser);
        }
        if (maxHandshakeMemory < MIN_HANDSHAKE_MEMORY) {
            throw new IllegalArgumentException("--max-handshake-memory must be at least 1M, got " + maxHandshakeMemory
                    + " bytes");
        }
        if (maxLoginFailures < 0) {
            throw new IllegalArgumentException("--max-login-failures must be 0 (no throttle) or more, got "
                    + maxLoginFailures);
        }
        if (loginFailureWindow.isNegative() || loginFailureWindow.isZero()) {
            throw new IllegalArgumentException("--login-failure-window must be positive, got " + loginFailureWindow);
        }
    }

    public static ClientLimitsConfig defaults() {
        return new ClientLimitsConfig(DEFAULT_MAX_CLIENT_CONNS, 0, DEFAULT_MAX_HANDSHAKE_MEMORY,
                DEFAULT_MAX_LOGIN_FAILURES, DEFAULT_LOGIN_FAILURE_WINDOW);
    }

    public boolean throttlesLogins() {
        return maxLoginFailures > 0;
    }
}
