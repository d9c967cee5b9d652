package dev.berth.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How Berth is operated: its HTTP endpoint for metrics and probes, its admin console, how it shuts down, what it
 * logs.
 *
 * @param httpListen      where {@code /metrics}, {@code /startup}, {@code /readiness} and {@code /liveness} are
 *                        served; none unless given
 * @param adminListen     where the admin console accepts MySQL clients; none unless given
 * @param adminUser       the one account of the admin console, separate from client accounts
 * @param shutdownTimeout how long running statements and open transactions get to finish after SIGTERM
 * @param statsInterval   how often a stats line is logged; zero for never
 * @param logFormat       plain text lines or one JSON object a line
 * @param unixSocketMode  the permissions of a unix socket Berth listens on (e.g. 0660), so that an application
 *                        running as another user can connect; the process umask's when absent
 * @param transport       which of Netty's transports serves the sockets
 */
public record OperationsConfig(Optional<HostPort> httpListen, Optional<HostPort> adminListen,
                               Optional<UserCredential> adminUser, Duration shutdownTimeout, Duration statsInterval,
                               LogFormat logFormat, Optional<Integer> unixSocketMode, TransportKind transport) {

    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STATS_INTERVAL = Duration.ofSeconds(60);

    public enum LogFormat { TEXT, JSON }

    public OperationsConfig {
        if (adminListen.isPresent() && adminUser.isEmpty()) {
            throw new IllegalArgumentException("--admin-listen needs --admin-user name:password");
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("--shutdown-timeout cannot be negative");
        }
        if (statsInterval.isNegative()) {
            throw new IllegalArgumentException("--stats-interval cannot be negative; 0 turns the stats line off");
        }
        unixSocketMode.ifPresent(mode -> {
            if (mode < 0 || mode > 0777) {
                throw new IllegalArgumentException("--listen-mode must be an octal mode from 0 to 0777, e.g. 0660");
            }
        });
    }

    /** No HTTP endpoint, no admin console, the default timeouts, text logs. */
    public static OperationsConfig defaults() {
        return new OperationsConfig(Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_SHUTDOWN_TIMEOUT,
                DEFAULT_STATS_INTERVAL, LogFormat.TEXT, Optional.empty(), TransportKind.AUTO);
    }
}
