package dev.berth.proxy.cli;

import dev.berth.config.BerthConfig;
import dev.berth.proxy.admin.Operator;
import dev.berth.proxy.server.BerthServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration of a running Berth as the admin console and SIGHUP change it. Every change is a new parse of the
 * same flags and environment (and files, read again), so a value set at run time is checked exactly as the flag
 * would be; a SET is kept as a flag that wins over the rest until the process ends.
 */
public final class LiveConfiguration implements Operator {
    private static final Logger log = LoggerFactory.getLogger(LiveConfiguration.class);
    /** What SET may change: the pool's limits and timeouts, which the pool takes in live. */
    static final Set<String> SETTABLE = Set.of("max-open-conns", "max-idle-conns", "min-idle-conns",
            "conn-max-lifetime", "conn-max-idle-time", "acquire-timeout", "idle-ping-after", "keepalive-interval",
            "max-open-conns-per-account");

    private final BerthServer server;
    private final Map<String, String> environment;
    private final List<String> args;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    /** Every long flag name, without its dashes: what a SET may name (SETTABLE says which it may change). */
    private final Set<String> settings = BerthCommand.commandLine(Map.of()).getCommandSpec().options().stream()
            .flatMap(option -> Arrays.stream(option.names()))
            .filter(name -> name.startsWith("--"))
            .map(name -> name.substring(2))
            .collect(Collectors.toUnmodifiableSet());

    public LiveConfiguration(BerthServer server, Map<String, String> environment, String... args) {
        this.server = server;
        this.environment = Map.copyOf(environment);
        this.args = List.of(args);
    }

    @Override
    public synchronized String set(String setting, String value) {
        if (!SETTABLE.contains(setting)) {
            throw new IllegalArgumentException("'" + setting + "' cannot be SET; SET takes "
                    + String.join(", ", SETTABLE.stream().sorted().toList())
                    + "; other settings change with RELOAD or a restart");
        }
        Map<String, String> tried = new LinkedHashMap<>(overrides);
        tried.put(setting, value);
        String answer = server.apply(parse(tried));
        overrides.put(setting, value);
        log.info("SET {} = {}: {}", setting, value, answer);
        return setting + " = " + value + "; " + answer;
    }

    @Override
    public boolean isSetting(String name) {
        return settings.contains(name);
    }

    @Override
    public synchronized String reload() {
        String answer = server.apply(parse(overrides));
        log.info("RELOAD: {}", answer);
        return answer;
    }

    @Override
    public synchronized List<List<String>> configRows() {
        List<List<String>> rows = new ArrayList<>();
        for (ConfigSetting setting : BerthCommand.settings(environment, withOverrides(overrides))) {
            rows.add(List.of(setting.name(), setting.value(), overrides.containsKey(setting.name().substring(2))
                    ? "SET at run time" : setting.source()));
        }
        return rows;
    }

    @Override
    public void shutdown(boolean drain) {
        Thread stop = new Thread(() -> {
            if (drain) {
                server.drain(server.config().operations().shutdownTimeout());
            } else {
                server.close();
            }
        }, "berth-admin-shutdown");
        stop.start();
    }

    private BerthConfig parse(Map<String, String> overriding) {
        return BerthCommand.toConfig(environment, withOverrides(overriding));
    }

    /** The command line's flags with the SET ones in place of any the command line gave (given twice is an error). */
    private String[] withOverrides(Map<String, String> overriding) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (flag.startsWith("--") && overriding.containsKey(flag.substring(2))) {
                if (!arg.contains("=")) {
                    i++; // its value
                }
            } else {
                all.add(arg);
            }
        }
        overriding.forEach((name, value) -> all.add("--" + name + "=" + value));
        return all.toArray(String[]::new);
    }
}
