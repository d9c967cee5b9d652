package dev.berth.proxy.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Berth as a separate process, started from the packaged jar ({@code target/berth.jar}, built in the package phase,
 * before Failsafe runs) with the given JVM flags, in front of the {@link TestDatabase}, on a free loopback port.
 * For what an in-process Berth can't show: the JVM's own limits, such as direct memory. Its output goes to a log file
 * under {@code target/}.
 */
public final class BerthProcess implements AutoCloseable {
    /** The JVM configuration docs/BENCHMARKS.md recommends for a 2-core sidecar (and bench/run.sh uses). */
    public static final List<String> RECOMMENDED_JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms256m", "-Xmx256m",
            "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=128m", "-XX:ActiveProcessorCount=2",
            "-XX:+ExitOnOutOfMemoryError");

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern HTTP = Pattern.compile("metrics and probes on http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final Path log;
    private final int port;

    private BerthProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code java <jvmFlags> -jar target/berth.jar} with user {@value RunningBerth#USER} and {@code flags}. */
    public static BerthProcess start(String name, List<String> jvmFlags, String... flags)
            throws IOException, InterruptedException {
        TestDatabase db = TestDatabase.get();
        List<String> args = new ArrayList<>(List.of("--backend", db.hostPort(), "--backend-user", db.rootUser(),
                "--user", RunningBerth.USER + ":" + RunningBerth.PASSWORD));
        args.addAll(List.of(flags));
        return launch(name, jvmFlags, Map.of("BERTH_BACKEND_PASSWORD", db.rootPassword()), args);
    }

    /**
     * Starts {@code java <jvmFlags> -jar target/berth.jar --listen 127.0.0.1:0 <args>} with no {@code BERTH_*}
     * variables but {@code environment}, and waits (up to a minute) for its start-up line.
     */
    public static BerthProcess launch(String name, List<String> jvmFlags, Map<String, String> environment,
                                      List<String> args) throws IOException, InterruptedException {
        Path jar = Path.of("target", "berth.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the tests with mvn verify, whose "
                    + "package phase builds it");
        }
        return launch(name, Path.of(System.getProperty("java.home"), "bin", "java"), jar, jvmFlags, environment, args);
    }

    /** As {@link #launch(String, List, Map, List)}, with another {@code java} and jar (a jlink'd runtime's). */
    public static BerthProcess launch(String name, Path java, Path jar, List<String> jvmFlags,
                                      Map<String, String> environment, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar.toString(), "--listen", "127.0.0.1:0"));
        command.addAll(args);
        Path log = Path.of("target", "berth-process-" + name + ".log");
        ProcessBuilder builder = withoutBerthVariables(new ProcessBuilder(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher listening = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (listening.find()) {
                return new BerthProcess(process, log, Integer.parseInt(listening.group(1)));
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50); // polling the log for the start-up line
        }
        process.destroyForcibly();
        throw new IllegalStateException("Berth did not start: " + Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * Drops every {@code BERTH_*} variable from a child's environment: the test run's own ({@code BERTH_TEST_MYSQL},
     * set by CI) Berth would refuse as matching no flag, and any other would be read as a setting the test did not
     * give.
     */
    public static ProcessBuilder withoutBerthVariables(ProcessBuilder builder) {
        builder.environment().keySet().removeIf(name -> name.startsWith("BERTH_"));
        return builder;
    }

    public int port() {
        return port;
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** Everything the process has written so far. */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** {@link #log()}, or why it can't be read, for assertion messages. */
    public String output() {
        try {
            return log();
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** A line of /proc/PID/status in kB: {@code VmRSS} (resident now), {@code VmHWM} (the peak); -1 once it exited. */
    public long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", "" + process.pid(), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process has exited
        }
        return -1;
    }

    public String mysqlUrl(String options) {
        return "jdbc:mysql://" + hostPort() + "/" + TestDatabase.DATABASE
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=10000&socketTimeout=120000"
                + (options.isEmpty() ? "" : "&" + options);
    }

    public String mariadbUrl(String options) {
        return "jdbc:mariadb://" + hostPort() + "/" + TestDatabase.DATABASE
                + "?sslMode=disable&connectTimeout=10000&socketTimeout=120000"
                + (options.isEmpty() ? "" : "&" + options);
    }

    public Connection mysqlConnection(String options) throws SQLException {
        return DriverManager.getConnection(mysqlUrl(options), RunningBerth.USER, RunningBerth.PASSWORD);
    }

    public Connection mariadbConnection(String options) throws SQLException {
        return DriverManager.getConnection(mariadbUrl(options), RunningBerth.USER, RunningBerth.PASSWORD);
    }

    public Path logFile() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM, as an orchestrator stops a container, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Sends the signal {@code name} (HUP, TERM, ...) with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    /** The exit code, once the process has exited within {@code seconds}; else null. */
    public Integer exitCode(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    /** The port of {@code --http-listen 127.0.0.1:0}, from the start-up log. */
    public int httpPort() throws InterruptedException {
        // Logged just after the line launch waited for.
        Eventually.await(Duration.ofSeconds(5), () -> HTTP.matcher(output()).find(), this::output);
        Matcher http = HTTP.matcher(output());
        http.find();
        return Integer.parseInt(http.group(1));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
