package dev.berth.proxy.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ListenAddress;
import dev.berth.config.UserCredential;
import dev.berth.config.UsersFile;
import dev.berth.proxy.frontend.RemoteHost;
import dev.berth.proxy.server.BerthServer;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code berth} command: reads flags, {@code BERTH_*} environment variables and a {@code --config} file into a
 * {@link BerthConfig} and runs a {@link BerthServer} until the process is stopped.
 *
 * <p>Exit codes: 0 after a clean shutdown, 1 when the server cannot start, 2 for a bad flag or configuration
 * (one line on stderr, no stack trace).
 */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "MySQL-protocol sidecar connection pooler: many client connections onto a few "
                + "long-lived backend connections.",
        footerHeading = "%nEnvironment and config file:%n",
        footer = {"Every flag can be set as BERTH_<FLAG>, e.g. BERTH_MAX_OPEN_CONNS=64, BERTH_TLS=false.",
                "Repeatable flags take a comma-separated list: BERTH_USER=app:secret,ro:*HEX.",
                "In the YAML file of --config FILE (or BERTH_CONFIG), keys are the long flag names: "
                        + "max-open-conns: 64, tls: false, listen: [127.0.0.1:6033, unix:/run/berth.sock].",
                "A flag wins over the environment, which wins over the file, which wins over the default.",
                "A file key or a BERTH_ variable that matches no flag is an error.",
                "BERTH_LOG_LEVEL=DEBUG logs per-connection events."})
public final class BerthCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(BerthCommand.class);
    private static final String NETTY_REFLECTION = "io.netty.tryReflectionSetAccessible";
    private static final String NETTY_ALLOCATOR = "io.netty.allocator.type";
    static final String CONFIG = "--config";

    @Spec
    CommandSpec spec;

    /** What the command line was read with; RELOAD and SET read it again. */
    private Map<String, String> environment = Map.of();

    /** Where options not given as flags get their values; made with the command line, for the arguments it parses. */
    private SettingSources sources;

    // Read by SettingSources before the parse; the field only confirms that the parse saw the same file.
    @Option(names = CONFIG, paramLabel = "FILE", order = 0,
            description = "YAML file of settings, keys named as the long flags (max-open-conns: 64). "
                    + "Flags and BERTH_* variables win over it.")
    Path configFile;

    @ArgGroup(validate = false, heading = "%nClients:%n", order = 1)
    ClientOptions clients = new ClientOptions();

    @ArgGroup(validate = false, heading = "%nClient TLS:%n", order = 2)
    ClientTlsOptions clientTls = new ClientTlsOptions();

    @ArgGroup(validate = false, heading = "%nBackend:%n", order = 3)
    BackendOptions backend = new BackendOptions();

    @ArgGroup(validate = false, heading = "%nPool:%n", order = 4)
    PoolOptions pool = new PoolOptions();

    @ArgGroup(validate = false, heading = "%nLimits:%n", order = 5)
    LimitsOptions limits = new LimitsOptions();

    @ArgGroup(validate = false, heading = "%nOperations:%n", order = 6)
    OperationsOptions operations = new OperationsOptions();

    public static void main(String[] args) {
        if (System.getProperty(NETTY_REFLECTION) == null) {
            // Before any Netty class loads. With the jar's Add-Opens of java.nio, Netty then allocates direct buffers
            // without the JDK's Cleaner and counts them against -XX:MaxDirectMemorySize itself: when they run out, an
            // allocation fails at once. Through the JDK it would sleep in java.nio.Bits.reserveMemory, half a second
            // per allocation, on an event loop that every client behind it waits for.
            System.setProperty(NETTY_REFLECTION, "true");
        }
        if (System.getProperty(NETTY_ALLOCATOR) == null) {
            // Netty 4.2 defaults to its adaptive allocator; Berth's memory bounds and benchmarks were measured with the
            // pooled one, kept until the adaptive one has been measured as well.
            System.setProperty(NETTY_ALLOCATOR, "pooled");
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Leak tracking samples allocations with a stack trace each; the tests keep it, production need not pay.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(commandLine(System.getenv(), args).execute(args));
    }

    /**
     * A command line to parse or execute {@code args} (those, no others: the config file they name is read here),
     * with defaults from {@code environment} and the config file, that reports bad flags and configuration errors
     * as one line on stderr with exit code 2. A {@code BERTH_*} variable in {@code environment} that matches no flag
     * is such an error.
     */
    public static CommandLine commandLine(Map<String, String> environment, String... args) {
        BerthCommand command = new BerthCommand();
        command.environment = Map.copyOf(environment);
        CommandLine commandLine = new CommandLine(command);
        command.sources = SettingSources.load(environment, args, commandLine.getCommandSpec());
        return commandLine
                .setDefaultValueProvider(command.sources)
                .setParameterExceptionHandler((e, parsed) -> usageError(e, parsed, command.sources))
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    if (e instanceof IllegalArgumentException) {
                        cmd.getErr().println("berth: " + e.getMessage());
                        return CommandLine.ExitCode.USAGE;
                    }
                    throw e;
                });
    }

    /** Parses {@code args} into a validated configuration without starting anything; reads no environment. */
    public static BerthConfig toConfig(String... args) {
        return toConfig(Map.of(), args);
    }

    /**
     * Parses {@code args}, with defaults from {@code environment}, into a validated configuration without starting
     * anything.
     *
     * @throws IllegalArgumentException for a bad flag or an invalid configuration, with the message the command
     *                                  would print
     */
    public static BerthConfig toConfig(Map<String, String> environment, String... args) {
        return parse(environment, args).config();
    }

    /**
     * Every option's value in effect and where it came from, in the order of {@code --help}, for SHOW CONFIG:
     * what {@link #toConfig(Map, String...)} reads from the same environment and arguments.
     *
     * @throws IllegalArgumentException as {@link #toConfig(Map, String...)} does
     */
    public static List<ConfigSetting> settings(Map<String, String> environment, String... args) {
        BerthCommand command = parse(environment, args);
        command.config();
        return command.settings();
    }

    /** A command whose options hold what {@code args} say, with defaults from the environment and the file. */
    private static BerthCommand parse(Map<String, String> environment, String[] args) {
        CommandLine commandLine = commandLine(environment, args);
        BerthCommand command = commandLine.getCommand();
        try {
            commandLine.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(describe(e, args, command.sources), e);
        }
        return command;
    }

    @Override
    public Integer call() {
        BerthConfig config = config();
        LogFormats.apply(config.operations().logFormat());
        PrintWriter err = spec.commandLine().getErr();
        BerthServer server = new BerthServer(config); // refuses a transport not available here, before anything starts
        EmbeddedDatabase embedded;
        try {
            embedded = backend.embedded() ? EmbeddedBackend.start(config.backend().address().port()) : null;
        } catch (IOException e) {
            log.debug("embedded backend failed", e);
            err.println("berth: cannot start: " + e.getMessage());
            err.flush();
            return 1;
        }
        // The embedded backend stops after the pool's connections to it have closed.
        Runnable stop = () -> {
            server.close();
            if (embedded != null) {
                embedded.close();
            }
        };
        try {
            server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.run();
            return 1;
        } catch (Exception e) {
            stop.run();
            log.debug("start failed", e);
            err.println("berth: cannot start: " + e.getMessage());
            err.flush();
            return 1;
        }
        log.info(summary(config, server.boundAddresses()) + "; transport " + server.transportName());
        server.httpAddress().ifPresent(http -> log.info("metrics and probes on http://{}/metrics, /startup, "
                + "/readiness, /liveness", format(http)));
        if (!PlatformDependent.useDirectBufferNoCleaner()) {
            log.warn("Netty allocates direct buffers through the JDK here: when direct memory runs out, each allocation "
                    + "stalls an event loop for about 0.5 s. Run Berth with java -jar berth.jar, or add "
                    + "--add-opens java.base/java.nio=ALL-UNNAMED -D" + NETTY_REFLECTION + "=true");
        }
        LiveConfiguration live = new LiveConfiguration(server, environment,
                spec.commandLine().getParseResult().originalArgs().toArray(String[]::new));
        if (config.operations().adminListen().isPresent()) {
            try {
                server.startAdmin(live);
            } catch (InterruptedException | RuntimeException e) {
                stop.run();
                err.println("berth: cannot start the admin console: " + e.getMessage());
                err.flush();
                return 1;
            }
            log.info("admin console on {} (connect with any MySQL client as the --admin-user account)",
                    format(server.adminAddress().orElseThrow()));
        }
        Signals.install(server, config.operations().shutdownTimeout(), live::reload);
        // After a drain, or on any other exit: the server's close does nothing the second time.
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "berth-shutdown"));
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.run();
        }
        return 0;
    }

    /** The configuration the parsed flags describe; throws {@link IllegalArgumentException} when invalid. */
    BerthConfig config() {
        if (!Objects.equals(configFile, sources.configPath().orElse(null))) {
            throw new IllegalStateException("parsed " + CONFIG + " " + configFile + " with a command line made for "
                    + sources.configPath().map(Path::toString).orElse("no config file")
                    + "; make it with commandLine(environment, args) for the arguments it parses");
        }
        sources.check();
        List<UserCredential> users = new ArrayList<>();
        for (String user : repeatable(clients.users, "--user")) {
            users.add(naming("--user", () -> UserCredential.parse(user)));
        }
        if (clients.usersFile != null) {
            users.addAll(UsersFile.read(clients.usersFile));
        }
        List<ListenAddress> listen = new ArrayList<>();
        for (String address : repeatable(clients.listen, "--listen")) {
            listen.add(naming("--listen", () -> ListenAddress.parse(address)));
        }
        return new BerthConfig(listen, backend.toDomainObject(), BerthConfig.byName(users), pool.toDomainObject(),
                clientTls.toDomainObject(), clients.toAuthConfig(), clients.handshakeTimeout, clients.maxPacketSize,
                clients.eventLoops, limits.toDomainObject(), operations.toDomainObject());
    }

    /** Runs a parser whose messages do not say which flag they are about, and says it. */
    static <T> T naming(String option, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /**
     * The values of a repeatable option. Given in the environment they arrive as one comma-separated value and
     * are split; given as flags or as a list in the config file they are kept whole, so a password there may hold a
     * comma.
     */
    private List<String> repeatable(List<String> values, String option) {
        if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
            return values;
        }
        return sources.values(spec.findOption(option)).orElse(values);
    }

    private List<ConfigSetting> settings() {
        ParseResult parsed = spec.commandLine().getParseResult();
        List<ConfigSetting> settings = new ArrayList<>();
        for (OptionSpec option : helpOrder()) {
            String name = option.longestName();
            String value = option.isMultiValue() ? SettingText.ofList(option, repeatable(option.getValue(), name))
                    : SettingText.of(option, (Object) option.getValue());
            settings.add(new ConfigSetting(name, value, parsed.hasMatchedOption(option) ? "flag"
                    : sources.source(option)));
        }
        return settings;
    }

    /** The options but --help and --version, as --help lists them: --config, then each group in turn. */
    private List<OptionSpec> helpOrder() {
        List<OptionSpec> options = new ArrayList<>(spec.options().stream()
                .filter(option -> option.group() == null && !option.usageHelp() && !option.versionHelp())
                .toList());
        spec.argGroups().stream()
                .sorted(Comparator.comparingInt(ArgGroupSpec::order))
                .forEach(group -> options.addAll(group.options()));
        return options;
    }

    static String summary(BerthConfig config, List<SocketAddress> bound) {
        String listening = bound.isEmpty()
                ? config.listen().stream().map(Object::toString).collect(Collectors.joining(", "))
                : bound.stream().map(BerthCommand::format).collect(Collectors.joining(", "));
        String tls = !config.clientTls().enabled() ? "off"
                : (config.clientTls().certificate().isPresent() ? "on" : "on, self-signed")
                        + (config.clientTls().required() ? ", required" : "");
        return "berth " + VersionProvider.version() + " listening on " + listening
                + "; backend " + (config.backend().user() == null ? "as each client's account at "
                        : config.backend().user() + "@") + config.backend().address()
                + (config.backend().tls().enabled()
                        ? " (tls, verify " + config.backend().tls().verify().name().toLowerCase(Locale.ROOT) + ")" : "")
                + "; pool " + config.pool().mode().name().toLowerCase(Locale.ROOT) + " max-open-conns="
                + config.pool().maxOpenConns()
                + " acquire-timeout=" + DurationConverter.format(config.pool().acquireTimeout())
                + "; " + (config.serverVerifiesLogins() ? "logins verified by the server"
                        : config.users().size() + (config.users().size() == 1 ? " user" : " users"))
                + "; client tls " + tls;
    }

    private static String format(SocketAddress address) {
        return RemoteHost.withPort(address, address.toString());
    }

    private static int usageError(ParameterException e, String[] args, SettingSources sources) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("berth: " + describe(e, args, sources));
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * One line: picocli's message, the variable or file line a bad value came from, a suggestion for a mistyped flag.
     */
    private static String describe(ParameterException e, String[] args, SettingSources sources) {
        StringBuilder message = new StringBuilder(e.getMessage());
        if (e.getArgSpec() instanceof OptionSpec option && !given(option, args)) {
            sources.origin(option).ifPresent(origin -> message.append(" (from ").append(origin).append(')'));
        }
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            // The closest few: with many --max-* flags, picocli suggests most of them.
            message.append("; did you mean ").append(String.join(" or ", unmatched.getSuggestions().stream().limit(4)
                    .toList())).append('?');
        } else {
            message.append("; see berth --help");
        }
        return message.toString();
    }

    private static boolean given(OptionSpec option, String[] args) {
        return Arrays.stream(args).anyMatch(arg -> Arrays.stream(option.names())
                .anyMatch(name -> arg.equals(name) || arg.startsWith(name + "=")));
    }
}
