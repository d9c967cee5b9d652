package dev.berth.proxy.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Berth as its own process: {@code java -jar target/berth.jar} (built by {@code package}, before Failsafe runs), with
 * the JVM configuration of docs/BENCHMARKS.md, in front of the {@link TestDatabase}. For tests of what a process
 * does under its memory limits, which a Berth inside the test JVM can't show. Close it after use.
 */
public final class BerthProcess implements AutoCloseable {
    /** docs/BENCHMARKS.md, "Berth's JVM configuration". */
    public static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms256m", "-Xmx256m",
            "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=128m", "-XX:ActiveProcessorCount=2",
            "-XX:+ExitOnOutOfMemoryError");

    private final Process process;
    private final Path log;
    private final int port;

    private BerthProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts Berth with user {@value RunningBerth#USER}, no TLS, and any further flags; waits until it listens. */
    public static BerthProcess start(String... extraFlags) throws IOException, InterruptedException {
        Path jar = Path.of("target", "berth.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the ITs with `mvn verify` (package builds it)");
        }
        TestDatabase db = TestDatabase.get();
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-jar", jar.toString(), "--listen", "127.0.0.1:" + port, "--backend", db.hostPort(),
                "--backend-user", db.rootUser(), "--user", RunningBerth.USER + ":" + RunningBerth.PASSWORD,
                "--no-tls"));
        command.addAll(List.of(extraFlags));
        Path log = Files.createTempFile("berth-process-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("BERTH_BACKEND_PASSWORD", db.rootPassword());
        BerthProcess berth = new BerthProcess(builder.start(), log, port);
        try {
            berth.awaitListening(Duration.ofSeconds(20));
        } catch (RuntimeException | Error e) {
            berth.close();
            throw e;
        }
        return berth;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitListening(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("Berth exited with " + process.exitValue() + ":\n" + output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("Berth not listening within " + within.toSeconds() + " s:\n" + output());
                }
                Thread.sleep(50); // polling interval while the JVM starts
            }
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A line of /proc/PID/status in kB: {@code VmRSS} (resident now), {@code VmHWM} (the peak). */
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
        return "jdbc:mysql://127.0.0.1:" + port + "/" + TestDatabase.DATABASE
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=10000&socketTimeout=120000"
                + (options.isEmpty() ? "" : "&" + options);
    }

    public String mariadbUrl(String options) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + TestDatabase.DATABASE
                + "?sslMode=disable&connectTimeout=10000&socketTimeout=120000"
                + (options.isEmpty() ? "" : "&" + options);
    }

    public Connection mysqlConnection(String options) throws SQLException {
        return DriverManager.getConnection(mysqlUrl(options), RunningBerth.USER, RunningBerth.PASSWORD);
    }

    public Connection mariadbConnection(String options) throws SQLException {
        return DriverManager.getConnection(mariadbUrl(options), RunningBerth.USER, RunningBerth.PASSWORD);
    }

    /** What Berth printed so far (its log goes to stderr). */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
