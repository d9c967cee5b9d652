package dev.berth.proxy.cli;

import dev.berth.config.PoolConfig;
import dev.berth.config.PoolMode;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The pool flags; see docs/ARCHITECTURE.md, "The pool". */
public final class PoolOptions {

    @Option(names = "--max-open-conns", paramLabel = "N", defaultValue = "" + PoolConfig.DEFAULT_MAX_OPEN_CONNS,
            description = "Most backend connections open at once; further clients wait. Default: ${DEFAULT-VALUE}")
    int maxOpenConns;

    @Option(names = "--max-idle-conns", paramLabel = "N", defaultValue = "-1",
            description = "Most idle backend connections kept; one released beyond this is closed. "
                    + "Default: the same as --max-open-conns (nothing is closed on release)")
    int maxIdleConns;

    @Option(names = "--min-idle-conns", paramLabel = "N", defaultValue = "0",
            description = "Idle backend connections kept open even when unused (a warm pool). Default: ${DEFAULT-VALUE}")
    int minIdleConns;

    @Option(names = "--conn-max-lifetime", paramLabel = "DURATION", defaultValue = "1h",
            converter = DurationConverter.class,
            description = "A backend connection is closed when this old (less up to 5%% jitter, so they don't all "
                    + "go at once). Default: ${DEFAULT-VALUE}")
    Duration connMaxLifetime;

    @Option(names = "--conn-max-idle-time", paramLabel = "DURATION", defaultValue = "10m",
            converter = DurationConverter.class,
            description = "An idle backend connection unused this long is closed. Default: ${DEFAULT-VALUE}")
    Duration connMaxIdleTime;

    @Option(names = "--idle-ping-after", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "A connection idle longer than this is checked with COM_PING before a client gets it. "
                    + "Default: ${DEFAULT-VALUE}")
    Duration idlePingAfter;

    @Option(names = "--keepalive-interval", paramLabel = "DURATION", defaultValue = "5m",
            converter = DurationConverter.class,
            description = "Idle connections are pinged this often; keep it below the server's wait_timeout. "
                    + "Default: ${DEFAULT-VALUE}")
    Duration keepaliveInterval;

    @Option(names = "--max-connecting", paramLabel = "N", defaultValue = "" + PoolConfig.DEFAULT_MAX_CONNECTING,
            description = "Backend connection attempts in flight at once. Default: ${DEFAULT-VALUE}")
    int maxConnecting;

    @Option(names = "--max-open-conns-per-account", paramLabel = "N", defaultValue = "0",
            description = "Backend connections one server account may have open, within --max-open-conns; its "
                    + "further clients wait. Default: 0, no cap of its own")
    int maxOpenPerAccount;

    @Option(names = "--acquire-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "How long a client waits for a backend connection before it gets an error. "
                    + "Default: ${DEFAULT-VALUE}")
    Duration acquireTimeout;

    @Option(names = "--pool-mode", paramLabel = "MODE", defaultValue = "session", converter = ModeConverter.class,
            description = "When a client gives its backend connection back: session (at disconnect) or transaction "
                    + "(after each statement that leaves no transaction open and nothing pinned; idle clients hold "
                    + "none). Default: ${DEFAULT-VALUE}")
    PoolMode mode;

    PoolConfig toDomainObject() {
        int maxIdle = maxIdleConns < 0 ? maxOpenConns : maxIdleConns;
        return new PoolConfig(mode, maxOpenConns, maxIdle, minIdleConns, connMaxLifetime, connMaxIdleTime,
                acquireTimeout, idlePingAfter, keepaliveInterval, maxConnecting, maxOpenPerAccount);
    }

    /** Pool modes are written in lower case, as in the documentation. */
    static final class ModeConverter implements ITypeConverter<PoolMode> {
        @Override
        public PoolMode convert(String value) {
            try {
                return PoolMode.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a pool mode; use one of: "
                        + Arrays.stream(PoolMode.values()).map(m -> m.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", ")));
            }
        }
    }
}
