package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-side cursors through MariaDB's C client library (libmariadb), which does not set CLIENT_DEPRECATE_EOF, so
 * Berth translates every cursor response: COM_STMT_EXECUTE that opens a cursor (definitions and one EOF carrying
 * SERVER_STATUS_CURSOR_EXISTS, no rows) and COM_STMT_FETCH (rows, then an EOF). The same programs run straight to
 * the server and through Berth; their outputs must match.
 *
 * <p>Needs gcc and libmariadb's headers (Debian: libmariadb-dev), and for the second test mariadb-test (Debian:
 * mariadb-test); {@code src/test/clients/install-cursor-deps.sh} installs them. Without them the tests are skipped.
 */
class CApiCursorIT {
    private static final Path CLIENTS = Path.of("src/test/clients");
    private static RunningBerth berth;
    private static TestDatabase db;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.get();
        berth = RunningBerth.start("--no-tls");
    }

    @AfterAll
    static void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    /**
     * cursor_client.c: an empty cursor, a one-row one, 100 rows fetched 7 at a time and 10 one at a time, a
     * statement without result, a text query, and a cursor left half-read while another statement runs.
     */
    @Test
    void cClientReadsCursorsThroughBerthAsDirectly() throws Exception {
        Path program = compile();
        Run direct = run(program.toString(), db.host(), String.valueOf(db.port()), db.rootUser(), db.rootPassword(),
                TestDatabase.DATABASE);
        assertEquals(0, direct.exitCode, () -> "straight to the server:\n" + direct.output);
        Run proxied = run(program.toString(), "127.0.0.1", String.valueOf(berth.port()), RunningBerth.USER,
                RunningBerth.PASSWORD, TestDatabase.DATABASE);
        assertEquals(direct.output, proxied.output);
        assertEquals(0, proxied.exitCode);
        assertTrue(proxied.output.contains("hundred: rows=100\n") && proxied.output.endsWith("done\n"),
                proxied.output);
    }

    /** cursor.test through mariadb-test --cursor-protocol, recorded straight and through Berth. */
    @Test
    void mariadbTestCursorProtocolThroughBerthAsDirectly() throws Exception {
        assumeTrue(onPath("mariadb-test"), "mariadb-test is not installed (Debian: mariadb-test)");
        String direct = mariadbTest("direct", db.host(), db.port(), db.rootUser(), db.rootPassword());
        String proxied = mariadbTest("berth", "127.0.0.1", berth.port(), RunningBerth.USER, RunningBerth.PASSWORD);
        assertEquals(direct, proxied);
        assertTrue(proxied.contains("SELECT 'end' AS done;\ndone\nend\n"), proxied);
    }

    /** Runs cursor.test, recording its result into a file of its own, and returns that result. */
    private static String mariadbTest(String name, String host, int port, String user, String password)
            throws Exception {
        Path result = work.resolve(name + ".result");
        List<String> command = new ArrayList<>(List.of("mariadb-test", "--host=" + host, "--port=" + port,
                "--user=" + user, "--database=" + TestDatabase.DATABASE, "--cursor-protocol",
                "--connect-timeout=20", "--tmpdir=" + work, "--logdir=" + work,
                "--test-file=" + CLIENTS.resolve("cursor.test").toAbsolutePath(), "--record",
                "--result-file=" + result));
        if (!password.isEmpty()) {
            command.add("--password=" + password);
        }
        Run run = run(command.toArray(String[]::new));
        assertEquals(0, run.exitCode, () -> name + ":\n" + run.output);
        return Files.readString(result);
    }

    /** Compiles cursor_client.c against libmariadb, or skips the test when gcc or the library's headers lack. */
    private static Path compile() throws Exception {
        assumeTrue(onPath("gcc"), "gcc is not installed");
        List<String> flags;
        if (onPath("mariadb_config")) {
            Run config = run("mariadb_config", "--cflags", "--libs");
            assumeTrue(config.exitCode == 0, "mariadb_config failed: " + config.output);
            flags = List.of(config.output.trim().split("\\s+"));
        } else {
            assumeTrue(Files.exists(Path.of("/usr/include/mariadb/mysql.h")),
                    "libmariadb's headers are not installed (Debian: libmariadb-dev)");
            flags = List.of("-I/usr/include/mariadb", "-lmariadb");
        }
        Path program = work.resolve("cursor_client");
        List<String> command = new ArrayList<>(List.of("gcc", "-std=c99", "-Wall", "-O1", "-o", program.toString(),
                CLIENTS.resolve("cursor_client.c").toString()));
        command.addAll(flags);
        Run gcc = run(command.toArray(String[]::new));
        assertEquals(0, gcc.exitCode, () -> "gcc failed:\n" + gcc.output);
        return program;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private record Run(int exitCode, String output) {
    }

    /** Runs a command to its end (at most 90 s), stdout and stderr together. */
    private static Run run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "out", ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not end in 90 s: " + String.join(" ", command) + "\n"
                    + Files.readString(out));
        }
        return new Run(process.exitValue(), Files.readString(out));
    }
}
