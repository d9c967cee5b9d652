package dev.berth.proxy.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults every long option from an environment variable named after it: {@code --max-open-conns} from
 * {@code BERTH_MAX_OPEN_CONNS}. A flag on the command line wins over the environment, which wins over the
 * default written on the option. The environment is passed in, so tests need not change the real one.
 *
 * <p>A repeatable option gets the whole variable as one value; {@link BerthCommand} splits it on commas.
 */
public final class EnvironmentDefaultProvider implements IDefaultValueProvider {

    static final String PREFIX = "BERTH_";

    private final Map<String, String> environment;

    public EnvironmentDefaultProvider(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** {@code --max-open-conns} → {@code BERTH_MAX_OPEN_CONNS}. */
    public static String variableName(String longOptionName) {
        return PREFIX + longOptionName.substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        return variableFor(argSpec).map(environment::get).orElse(null);
    }

    /** The variable set in this environment that gives {@code argSpec} its value, if any. */
    Optional<String> variableFor(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return Optional.empty();
        }
        return Arrays.stream(option.names())
                .filter(name -> name.startsWith("--"))
                .map(EnvironmentDefaultProvider::variableName)
                .filter(name -> Objects.nonNull(environment.get(name)))
                .findFirst();
    }
}
