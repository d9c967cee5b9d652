package dev.berth.proxy.cli;

import dev.berth.config.HostPort;
import dev.berth.config.OperationsConfig;
import dev.berth.config.OperationsConfig.LogFormat;
import dev.berth.config.TransportKind;
import dev.berth.config.UserCredential;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The flags for running Berth: metrics and probes over HTTP, the admin console, shutdown, logs. */
public final class OperationsOptions {

    @Option(names = "--http-listen", paramLabel = "ADDRESS",
            description = "Address of the HTTP endpoint: /metrics (Prometheus), /startup, /readiness, /liveness. "
                    + "Off unless given.")
    String httpListen;

    @Option(names = "--admin-listen", paramLabel = "ADDRESS",
            description = "Address of the admin console, a MySQL-protocol server for SHOW POOLS, PAUSE, SET and "
                    + "more (connect with any MySQL client). Off unless given; needs --admin-user.")
    String adminListen;

    // No ${DEFAULT-VALUE}: from BERTH_ADMIN_USER it would print the password.
    @Option(names = "--admin-user", paramLabel = "NAME:PASSWORD",
            description = "The admin console's account, name:password or name:*HEX; not a client account.")
    String adminUser;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = DurationConverter.class,
            description = "After SIGTERM, how long running statements and open transactions get to finish before "
                    + "their clients are cut. Default: ${DEFAULT-VALUE}")
    Duration shutdownTimeout;

    @Option(names = "--stats-interval", paramLabel = "DURATION", defaultValue = "60s",
            converter = DurationConverter.class,
            description = "How often a line of pool and client figures is logged; 0 turns it off. "
                    + "Default: ${DEFAULT-VALUE}")
    Duration statsInterval;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, or json for one JSON object a line. Default: ${DEFAULT-VALUE}")
    String logFormat;

    @Option(names = "--listen-mode", paramLabel = "MODE",
            description = "Permissions of a unix socket from --listen unix:/path, in octal (e.g. 0660, or 0666 "
                    + "for an application running as any user). Default: from the process umask.")
    String listenMode;

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "auto",
            description = "Netty transport for all sockets: auto (io_uring where the kernel allows it, else epoll, else "
                    + "nio), io_uring, epoll or nio. Default: ${DEFAULT-VALUE}")
    String transport;

    OperationsConfig toDomainObject() {
        return new OperationsConfig(
                Optional.ofNullable(httpListen).map(text -> address("--http-listen", text)),
                Optional.ofNullable(adminListen).map(text -> address("--admin-listen", text)),
                Optional.ofNullable(adminUser).map(text -> BerthCommand.naming("--admin-user", () -> UserCredential.parse(text))),
                shutdownTimeout, statsInterval, logFormat(), Optional.ofNullable(listenMode).map(this::mode),
                TransportKind.parse(transport));
    }

    private LogFormat logFormat() {
        return switch (logFormat.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> LogFormat.TEXT;
            case "json" -> LogFormat.JSON;
            default -> throw new IllegalArgumentException("--log-format must be text or json, got '" + logFormat + "'");
        };
    }

    private int mode(String text) {
        try {
            return Integer.parseInt(text.strip(), 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen-mode must be an octal mode such as 0660, got '" + text + "'");
        }
    }

    private static HostPort address(String option, String text) {
        return BerthCommand.naming(option, () -> HostPort.parse(text, "0.0.0.0"));
    }
}
