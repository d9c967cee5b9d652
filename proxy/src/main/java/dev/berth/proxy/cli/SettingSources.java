package dev.berth.proxy.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option not given as a flag gets its value: the environment ({@code BERTH_<FLAG>}), else the
 * {@code --config} file, else the default written on the option. So a flag wins over the environment, which wins
 * over the file, which wins over the default.
 *
 * <p>Picocli asks for defaults while it parses, so the file is found before: from {@code --config FILE} or
 * {@code --config=FILE} in the arguments, else {@code BERTH_CONFIG}. It is read when the sources are made, once per
 * parse. A mistake in the file or the environment is kept for {@link #check()} rather than thrown at once, so that
 * {@code --help} and {@code --version} still answer.
 */
final class SettingSources implements IDefaultValueProvider {

    private final EnvironmentDefaultProvider environment;
    private final Optional<Path> configPath;
    private final Optional<ConfigFile> file;
    private final Optional<String> problem;

    private SettingSources(EnvironmentDefaultProvider environment, Optional<Path> configPath,
                           Optional<ConfigFile> file, Optional<String> problem) {
        this.environment = environment;
        this.configPath = configPath;
        this.file = file;
        this.problem = problem;
    }

    /** The sources for parsing {@code args} into {@code spec}'s options; reads the config file if one is named. */
    static SettingSources load(Map<String, String> environment, String[] args, CommandSpec spec) {
        EnvironmentDefaultProvider variables = new EnvironmentDefaultProvider(environment);
        Optional<Path> configPath = configPath(environment, args);
        try {
            variables.check(spec);
            return new SettingSources(variables, configPath, configPath.map(path -> ConfigFile.read(path, spec)),
                    Optional.empty());
        } catch (IllegalArgumentException e) {
            return new SettingSources(variables, configPath, Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    private static Optional<Path> configPath(Map<String, String> environment, String[] args) {
        for (int i = args.length - 1; i >= 0; i--) {
            if (args[i].startsWith(BerthCommand.CONFIG + "=")) {
                return Optional.of(Path.of(args[i].substring(BerthCommand.CONFIG.length() + 1)));
            }
            if (args[i].equals(BerthCommand.CONFIG) && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
        }
        return Optional.ofNullable(environment.get(EnvironmentDefaultProvider.variableName(BerthCommand.CONFIG)))
                .map(Path::of);
    }

    /** @throws IllegalArgumentException for a mistake found in the environment or the config file */
    void check() {
        problem.ifPresent(message -> {
            throw new IllegalArgumentException(message);
        });
    }

    /** The config file these sources were made to read, whether or not it could be read. */
    Optional<Path> configPath() {
        return configPath;
    }

    /**
     * The environment's value, else the file's. A repeatable option's list from the file is joined with commas, as
     * the environment gives it; {@link #values} keeps the items whole.
     */
    @Override
    public String defaultValue(ArgSpec argSpec) {
        String variable = environment.defaultValue(argSpec);
        if (variable != null || !(argSpec instanceof OptionSpec option)) {
            return variable;
        }
        return file.flatMap(config -> config.values(option)).map(values -> String.join(",", values)).orElse(null);
    }

    /**
     * The values of a repeatable option not given as flags: the environment's split on commas, or the file's list
     * (whose items may hold commas); empty when neither names it.
     */
    Optional<List<String>> values(OptionSpec option) {
        Optional<String> variable = Optional.ofNullable(environment.defaultValue(option));
        if (variable.isPresent()) {
            return variable.map(value -> Arrays.stream(value.split(","))
                    .map(String::strip)
                    .filter(item -> !item.isEmpty())
                    .toList());
        }
        return file.flatMap(config -> config.values(option));
    }

    /** Where an option not given as a flag got its value: {@code BERTH_X}, or {@code /etc/berth.yaml:3}. */
    Optional<String> origin(OptionSpec option) {
        return environment.variableFor(option).or(() -> file.flatMap(config -> config.origin(option)));
    }

    /** {@code environment (BERTH_X)}, {@code file (/etc/berth.yaml)} or {@code default}, for an option not flagged. */
    String source(OptionSpec option) {
        return environment.variableFor(option).map(variable -> "environment (" + variable + ")")
                .or(() -> file.filter(config -> config.values(option).isPresent())
                        .map(config -> "file (" + config.path() + ")"))
                .orElse("default");
    }
}
