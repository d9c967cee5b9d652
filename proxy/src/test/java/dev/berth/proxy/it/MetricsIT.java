package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.Scrape;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * /metrics scraped with a real HTTP client while clients work: the pool's figures follow the workload (open and in
 * use while clients hold connections, waits after a burst that saturates the pool, closes by reason after an idle
 * timeout), the clients' counters move, and the exposition parses with the Prometheus Python client's own parsers in
 * both formats. The probes answer as an orchestrator expects.
 */
class MetricsIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void figuresFollowTheWorkload() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--pool-mode", "session", "--max-open-conns", "2",
                "--max-idle-conns", "2",
                "--conn-max-idle-time", "1s", "--acquire-timeout", "20s", "--http-listen", "127.0.0.1:0")) {
            Scrape scrape = new Scrape(berth.httpPort());
            String pool = "pool=\"" + TestDatabase.get().rootUser() + "@" + TestDatabase.get().hostPort() + "\"";
            String before = scrape.metrics();
            assertEquals(2, Scrape.value(before, "berth_pool_max_open_connections{" + pool + "}"), before);
            double connects = Scrape.value(before, "berth_client_connects_total");
            double queries = Scrape.value(before, "berth_queries_total");
            double allocated = Scrape.value(before, "berth_event_loop_allocated_bytes_total");

            // Two clients hold both connections (session mode), a third waits for one.
            ExecutorService third = Executors.newSingleThreadExecutor();
            try (Connection a = berth.mariadbConnection(""); Connection b = berth.mariadbConnection("")) {
                a.createStatement().execute("SELECT 1");
                b.createStatement().execute("SELECT 1");
                String busy = scrape.metrics();
                assertEquals(2, Scrape.value(busy, "berth_pool_open_connections{" + pool + "}"), busy);
                assertEquals(2, Scrape.value(busy, "berth_pool_in_use_connections{" + pool + "}"), busy);
                assertEquals(2, Scrape.value(busy, "berth_client_connections"), busy);
                Future<?> waiting = third.submit(() -> {
                    try (Connection c = berth.mariadbConnection("")) {
                        c.createStatement().execute("SELECT 1");
                    }
                    return null;
                });
                Eventually.await(Duration.ofSeconds(10), () -> gauge(scrape, "berth_pool_waiting_clients{" + pool + "}") == 1,
                        () -> "no client waiting: " + metricsOrWhy(scrape));
                a.close(); // gives its connection to the waiting client
                waiting.get(20, TimeUnit.SECONDS);
            } finally {
                third.shutdownNow();
            }
            String after = scrape.metrics();
            assertTrue(Scrape.value(after, "berth_pool_wait_count_total{" + pool + "}") >= 1, after);
            assertTrue(Scrape.value(after, "berth_pool_wait_duration_seconds_total{" + pool + "}") > 0, after);
            assertTrue(Scrape.value(after, "berth_pool_acquire_duration_seconds_count{" + pool + "}") >= 3, after);
            assertEquals(connects + 3, Scrape.value(after, "berth_client_connects_total"), after);
            assertTrue(Scrape.value(after, "berth_queries_total") >= queries + 3, after);
            assertTrue(Scrape.value(after, "berth_client_received_bytes_total") > 0, after);
            assertTrue(Scrape.value(after, "berth_client_sent_bytes_total") > 0, after);
            assertTrue(Scrape.value(after, "berth_event_loop_allocated_bytes_total") > allocated, after);

            // A syntax error and a failed login are counted by code.
            try (Connection c = berth.mariadbConnection("")) {
                assertThrowsSql(() -> c.createStatement().execute("SELEC nonsense"));
            }
            assertThrowsSql(() -> java.sql.DriverManager.getConnection(berth.mariadbUrl(""), RunningBerth.USER,
                    "wrong").close());
            String errors = scrape.metrics();
            assertEquals(1, Scrape.value(errors, "berth_errors_total{code=\"1064\"}"), errors);
            assertEquals(1, Scrape.value(errors, "berth_errors_total{code=\"1045\"}"), errors);
            assertEquals(1, Scrape.value(errors, "berth_client_auth_failures_total"), errors);

            // Idle past --conn-max-idle-time, the connections are closed and counted under that reason.
            Eventually.await(Duration.ofSeconds(15), () -> gauge(scrape, "berth_pool_open_connections{" + pool + "}") == 0,
                    () -> "connections still open: " + metricsOrWhy(scrape));
            String idle = scrape.metrics();
            assertTrue(Scrape.value(idle, "berth_pool_max_idle_time_closed_total{" + pool + "}") >= 2, idle);
            assertTrue(Scrape.value(idle, "berth_backend_closes_total{" + pool + ",reason=\"max-idle-time\"}") >= 2,
                    idle);
            assertTrue(Scrape.value(idle, "jvm_memory_used_bytes{area=\"heap\"}") > 0, idle);
        }
    }

    @Test
    void expositionParsesWithThePrometheusClientsParsers() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c",
                "import prometheus_client.parser, prometheus_client.openmetrics.parser"), "") == 0,
                "needs Debian's python3-prometheus-client (proxy/src/test/clients/install-clients.sh installs it)");
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--http-listen", "127.0.0.1:0");
             Connection c = berth.mariadbConnection("")) {
            c.createStatement().execute("SELECT 1");
            Scrape scrape = new Scrape(berth.httpPort());
            HttpResponse<String> text = scrape.get("/metrics", null);
            assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                    text.headers().toString());
            assertParses("prometheus_client.parser.text_string_to_metric_families", text.body());
            HttpResponse<String> open = scrape.get("/metrics", Scrape.OPENMETRICS);
            assertTrue(open.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    open.headers().toString());
            assertTrue(open.body().endsWith("# EOF\n"), open.body());
            assertParses("prometheus_client.openmetrics.parser.text_string_to_metric_families", open.body());
        }
    }

    @Test
    void probesAnswerAsAnOrchestratorExpects() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--http-listen", "127.0.0.1:0")) {
            Scrape scrape = new Scrape(berth.httpPort());
            assertEquals(200, scrape.status("/startup"));
            assertEquals(200, scrape.status("/liveness"));
            assertEquals(200, scrape.status("/readiness"));
            assertEquals(404, scrape.status("/nothing"));
        }
        // Nothing listens on port 1: the first connect fails, and Berth is not ready while it backs off.
        try (RunningBerth berth = RunningBerth.startWithBackend("127.0.0.1:1", "--no-tls", "--http-listen",
                "127.0.0.1:0")) {
            Scrape scrape = new Scrape(berth.httpPort());
            assertEquals(200, scrape.status("/startup"));
            assertEquals(200, scrape.status("/liveness"));
            Eventually.await(Duration.ofSeconds(10), () -> statusOf(scrape, "/readiness") == 503,
                    () -> "readiness did not fail with the backend down");
        }
    }

    /** Runs the parser over {@code exposition}: it must read every family, and Berth's pool gauges among them. */
    private static void assertParses(String parser, String exposition) throws Exception {
        String script = "import sys\n"
                + "import " + parser.substring(0, parser.lastIndexOf('.')) + " as p\n"
                + "names = [f.name for f in p." + parser.substring(parser.lastIndexOf('.') + 1) + "(sys.stdin.read())]\n"
                + "assert 'berth_pool_open_connections' in names, names\n"
                + "assert 'berth_pool_acquire_duration_seconds' in names, names\n"
                + "print(len(names))\n";
        assertEquals(0, run(List.of(PYTHON.toString(), "-c", script), exposition), parser + " failed");
    }

    private static int run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        if (code != 0) {
            System.err.println(output);
        }
        return code;
    }

    private static double gauge(Scrape scrape, String series) {
        try {
            return Scrape.value(scrape.metrics(), series);
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static int statusOf(Scrape scrape, String path) {
        try {
            return scrape.status(path);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String metricsOrWhy(Scrape scrape) {
        try {
            return scrape.metrics();
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private static void assertThrowsSql(SqlAction action) {
        try {
            action.run();
        } catch (SQLException expected) {
            return;
        }
        throw new AssertionError("expected an SQLException");
    }
}
