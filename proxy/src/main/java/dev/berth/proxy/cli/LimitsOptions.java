package dev.berth.proxy.cli;

import dev.berth.config.ClientLimitsConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The flags that bound what clients may take: connections, logins in progress, failed logins. */
public final class LimitsOptions {

    @Option(names = "--max-client-conns", paramLabel = "N",
            defaultValue = "" + ClientLimitsConfig.DEFAULT_MAX_CLIENT_CONNS,
            description = "Most client connections open at once, logged in or not; further ones get ERR 1040. "
                    + "Default: ${DEFAULT-VALUE}")
    int maxClientConns;

    @Option(names = "--max-conns-per-user", paramLabel = "N", defaultValue = "0",
            description = "Most logged-in connections per account; a login beyond it gets ERR 1040. "
                    + "0: no limit. Default: ${DEFAULT-VALUE}")
    int maxConnsPerUser;

    @Option(names = "--max-handshake-memory", paramLabel = "SIZE", defaultValue = "16M",
            converter = ByteSizeConverter.class,
            description = "Memory Berth may hold for all clients that have not logged in yet; past it the client "
                    + "that has been logging in longest gets ERR 1040. Default: ${DEFAULT-VALUE}")
    long maxHandshakeMemory;

    @Option(names = "--max-login-failures", paramLabel = "N",
            defaultValue = "" + ClientLimitsConfig.DEFAULT_MAX_LOGIN_FAILURES,
            description = "Failed logins from one address within --login-failure-window after which the address "
                    + "is refused (ERR 1129) until the window ends; from the 4th failure on, each denial is answered "
                    + "later (250 ms, doubling up to 2 s). 0: no throttle. Default: ${DEFAULT-VALUE}")
    int maxLoginFailures;

    @Option(names = "--login-failure-window", paramLabel = "DURATION", defaultValue = "1m",
            converter = DurationConverter.class,
            description = "How long failed logins from an address count, from its first one. Default: ${DEFAULT-VALUE}")
    Duration loginFailureWindow;

    ClientLimitsConfig toDomainObject() {
        return new ClientLimitsConfig(maxClientConns, maxConnsPerUser, maxHandshakeMemory, maxLoginFailures,
                loginFailureWindow);
    }
}
