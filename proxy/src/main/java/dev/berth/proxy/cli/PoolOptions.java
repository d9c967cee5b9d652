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

/** The pool flags; see DESIGN.md, "Pool contract". */
public final class PoolOptions {

    @Option(names = "--max-open-conns", paramLabel = "N", defaultValue = "" + PoolConfig.DEFAULT_MAX_OPEN_CONNS,
            description = "Most backend connections open at once; further clients wait. Default: ${DEFAULT-VALUE}")
    int maxOpenConns;

    @Option(names = "--acquire-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "How long a client waits for a backend connection before it gets an error. "
                    + "Default: ${DEFAULT-VALUE}")
    Duration acquireTimeout;

    @Option(names = "--pool-mode", paramLabel = "MODE", defaultValue = "session", converter = ModeConverter.class,
            description = "When a client gives its backend connection back: session (at disconnect). "
                    + "Default: ${DEFAULT-VALUE}")
    PoolMode mode;

    PoolConfig toDomainObject() {
        return new PoolConfig(mode, maxOpenConns, acquireTimeout);
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
