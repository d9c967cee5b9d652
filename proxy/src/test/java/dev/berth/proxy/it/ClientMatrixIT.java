package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The non-Java clients (MariaDB's command line client, Go, PHP mysqli and PDO, PyMySQL, MySQLdb) run the same script
 * directly against the test database and through Berth, for each TLS mode and compression setting the client has;
 * the two outputs must be equal. The scripts are in {@code src/test/clients} and print nothing that differs between
 * two correct servers (no connection ids, no timings); {@code install-clients.sh} there installs the clients.
 *
 * <p>Both runs log in as {@value #USER}: a server account for the direct run, a Berth account through Berth. The
 * direct run uses the same TLS mode, except that a client that insists on TLS runs without it when the test database
 * has no TLS (a stock Debian MariaDB has none); TLS changes nothing in the output. All cases share one Berth, so most
 * clients get a backend connection that an earlier client used. Each run has {@link #CASE_TIMEOUT} to finish.
 */
class ClientMatrixIT {
    private static final Path CLIENTS = Path.of("src/test/clients").toAbsolutePath();
    private static final Path WORK = Path.of("target/client-matrix").toAbsolutePath();
    private static final Path GO_CLIENT = WORK.resolve("go-client");
    /** Debian's go-sql-driver/mysql is a GOPATH package; no module proxy is needed. */
    private static final Map<String, String> GO_ENV =
            Map.of("GO111MODULE", "off", "GOPATH", "/usr/share/gocode", "GOCACHE", WORK.resolve("go-cache").toString());
    /** Debian's python3-pymysql and python3-mysqldb belong to Debian's interpreter, not to one on the PATH. */
    private static final String PYTHON = "/usr/bin/python3";
    private static final Duration CASE_TIMEOUT = Duration.ofSeconds(20);
    private static final String USER = "berth_matrix";
    private static final String PASSWORD = "matrix-secret";

    private static RunningBerth berth;
    private static boolean serverHasTls;
    private static boolean goClientBuilt;

    enum Tls {
        OFF, PREFERRED, REQUIRED;

        /** As the scripts and test names spell it. */
        String option() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    enum Client {
        MARIADB("mariadb", List.of(Tls.OFF, Tls.PREFERRED), true, List.of("mariadb", "--version"),
                List.of("bash", CLIENTS.resolve("mariadb-cli.sh").toString())),
        GO("go", List.of(Tls.OFF, Tls.PREFERRED, Tls.REQUIRED), false,
                List.of("go", "list", "github.com/go-sql-driver/mysql"), List.of(GO_CLIENT.toString())),
        MYSQLI("php-mysqli", List.of(Tls.OFF, Tls.REQUIRED), true,
                List.of("php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"),
                List.of("php", CLIENTS.resolve("mysqli.php").toString())),
        PDO("php-pdo", List.of(Tls.OFF, Tls.REQUIRED), true,
                List.of("php", "-r", "exit(extension_loaded('pdo_mysql') ? 0 : 1);"),
                List.of("php", CLIENTS.resolve("pdo.php").toString())),
        PYMYSQL("pymysql", List.of(Tls.OFF, Tls.PREFERRED), false, List.of(PYTHON, "-c", "import pymysql"),
                List.of(PYTHON, CLIENTS.resolve("dbapi.py").toString(), "pymysql")),
        MYSQLDB("mysqldb", List.of(Tls.OFF, Tls.PREFERRED), true, List.of(PYTHON, "-c", "import MySQLdb"),
                List.of(PYTHON, CLIENTS.resolve("dbapi.py").toString(), "mysqldb"));

        final String label;
        final List<Tls> tlsModes;
        final boolean compression;
        /** Succeeds when the client is installed. */
        final List<String> probe;
        /** The script, to be followed by HOST PORT USER PASSWORD off|preferred|required on|off. */
        final List<String> program;

        Client(String label, List<Tls> tlsModes, boolean compression, List<String> probe, List<String> program) {
            this.label = label;
            this.tlsModes = tlsModes;
            this.compression = compression;
            this.probe = probe;
            this.program = program;
        }
    }

    record Case(Client client, Tls tls, boolean compress) {
        @Override
        public String toString() {
            return client.label + " tls=" + tls.option() + (compress ? " compress" : "");
        }
    }

    record Run(String output, boolean finished, int exitStatus) {
        boolean succeeded() {
            return finished && exitStatus == 0;
        }

        /** The output, followed by how the run ended when it did not end well. */
        String describe() {
            return output + (!finished ? "[still running after " + CASE_TIMEOUT.toSeconds() + " s, killed]\n"
                    : exitStatus != 0 ? "[exit status " + exitStatus + "]\n" : "");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(WORK);
        TestDatabase.get().createUser(USER, PASSWORD, null);
        try (Connection c = TestDatabase.get().rootConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW VARIABLES LIKE 'have_ssl'")) {
            serverHasTls = rs.next() && "YES".equals(rs.getString(2));
        }
        berth = RunningBerth.start("--user", USER + ":" + PASSWORD);
    }

    @AfterAll
    static void stop() throws SQLException {
        if (berth != null) {
            berth.close();
        }
        TestDatabase.get().dropUser(USER);
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Client client : Client.values()) {
            for (Tls tls : client.tlsModes) {
                cases.add(new Case(client, tls, false));
                if (client.compression) {
                    cases.add(new Case(client, tls, true));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameOutputDirectAndThroughBerth(Case c) throws Exception {
        assumeTrue(run(c.client.probe).succeeded(),
                c.client.label + " is not installed (src/test/clients/install-clients.sh installs it)");
        if (c.client == Client.GO) {
            buildGoClientOnce();
        }
        TestDatabase db = TestDatabase.get();
        Tls directTls = c.tls == Tls.REQUIRED && !serverHasTls ? Tls.OFF : c.tls;
        Run direct = run(command(c, db.host(), db.port(), directTls));
        assertTrue(direct.succeeded(), () -> "the direct run failed:\n" + direct.describe());
        Run throughBerth = run(command(c, "127.0.0.1", berth.port(), c.tls));
        assertEquals(direct.describe(), throughBerth.describe(),
                () -> c + ": " + differences(direct.describe(), throughBerth.describe()));
    }

    /** The first lines that differ, by position, so that a failure reads without comparing two listings. */
    private static String differences(String direct, String throughBerth) {
        List<String> expected = direct.lines().toList();
        List<String> actual = throughBerth.lines().toList();
        int lines = Math.max(expected.size(), actual.size());
        StringBuilder shown = new StringBuilder();
        int differing = 0;
        for (int i = 0; i < lines; i++) {
            String e = i < expected.size() ? expected.get(i) : "(no line)";
            String a = i < actual.size() ? actual.get(i) : "(no line)";
            if (!e.equals(a) && ++differing <= 3) {
                shown.append("\nline ").append(i + 1).append("\n  direct: ").append(e).append("\n  Berth:  ").append(a);
            }
        }
        return differing + " of " + lines + " lines differ through Berth" + shown + (differing > 3 ? "\n..." : "");
    }

    private static List<String> command(Case c, String host, int port, Tls tls) {
        List<String> command = new ArrayList<>(c.client.program);
        command.addAll(List.of(host, String.valueOf(port), USER, PASSWORD, tls.option(),
                c.compress ? "on" : "off"));
        return command;
    }

    private static synchronized void buildGoClientOnce() throws IOException, InterruptedException {
        if (!goClientBuilt) {
            Run build = run(List.of("go", "build", "-o", GO_CLIENT.toString(),
                    CLIENTS.resolve("go/main.go").toString()));
            assertEquals("", build.describe(), "go build of src/test/clients/go");
            goClientBuilt = true;
        }
    }

    /** Runs {@code command} for at most {@link #CASE_TIMEOUT}, stderr merged into stdout; kills it after that. */
    private static Run run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(WORK, "run-", ".txt");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(GO_ENV); // only go reads them
            Process process;
            try {
                process = builder.start();
            } catch (IOException notInstalled) {
                return new Run(notInstalled.getMessage(), true, -1);
            }
            boolean finished = process.waitFor(CASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            return new Run(printed, finished, finished ? process.exitValue() : 0);
        } finally {
            Files.delete(output);
        }
    }
}
