package dev.berth.proxy.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults every long option from an environment variable named after it: {@code --max-open-conns} from
 * {@code BERTH_MAX_OPEN_CONNS}. A flag on the command line wins over the environment, which wins over the
 * default written on the option. The environment is passed in, so tests need not change the real one.
 *
 * <p>A repeatable option gets the whole variable as one value; {@link BerthCommand} splits it on commas.
 *
 * <p>A {@code BERTH_*} variable that names no option is an error ({@link #check}), not ignored: a mistyped one
 * would leave a setting at its default without a word.
 */
public final class EnvironmentDefaultProvider implements IDefaultValueProvider {

    static final String PREFIX = "BERTH_";

    /** {@code BERTH_*} variables that are no option but are read all the same. */
    private static final Set<String> OTHER_VARIABLES = Set.of(
            "BERTH_LOG_LEVEL"); // the level of dev.berth's loggers, read by logback.xml

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

    /**
     * Refuses a {@code BERTH_*} variable that names no option of {@code spec}.
     *
     * @throws IllegalArgumentException naming the first such variable and the closest one that would be read
     */
    void check(CommandSpec spec) {
        Set<String> known = new TreeSet<>(OTHER_VARIABLES);
        spec.options().stream()
                .filter(option -> !option.usageHelp() && !option.versionHelp())
                .flatMap(option -> Arrays.stream(option.names()))
                .filter(name -> name.startsWith("--"))
                .map(EnvironmentDefaultProvider::variableName)
                .forEach(known::add);
        Optional<String> unknown = environment.keySet().stream()
                .filter(name -> name.startsWith(PREFIX) && !known.contains(name))
                .sorted()
                .findFirst();
        if (unknown.isPresent()) {
            String name = unknown.get();
            // Compared without the prefix, which every name shares and would make any two look alike.
            List<String> flags = known.stream().map(variable -> variable.substring(PREFIX.length())).toList();
            throw new IllegalArgumentException(name + " in the environment matches no flag; "
                    + ClosestName.to(name.substring(PREFIX.length()), flags)
                    .map(closest -> "did you mean " + PREFIX + closest + "?")
                    .orElse("the variables are BERTH_<FLAG> for the flags of berth --help"));
        }
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
