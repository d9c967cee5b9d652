package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.pool.PoolStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin console driven as an operator would, with a JDBC driver and the mariadb CLI: every SHOW agrees with the
 * pool's statistics, PAUSE holds new transactions while a running one finishes and RESUME releases them, SET changes
 * max-open-conns live, RELOAD picks up a new user from the users file, KILL CLIENT closes a client.
 */
class AdminConsoleIT {
    private static final String ADMIN = "ops";
    private static final String ADMIN_PASSWORD = "ops-secret";

    @TempDir
    Path dir;

    private RunningBerth start(String... more) throws Exception {
        List<String> flags = new ArrayList<>(List.of("--no-tls", "--admin-listen", "127.0.0.1:0", "--admin-user",
                ADMIN + ":" + ADMIN_PASSWORD));
        flags.addAll(List.of(more));
        return RunningBerth.start(flags.toArray(String[]::new));
    }

    private static Connection admin(RunningBerth berth) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + berth.adminPort() + "/?sslMode=disable",
                ADMIN, ADMIN_PASSWORD);
    }

    @Test
    void showsAgreeWithThePoolStatistics() throws Exception {
        try (RunningBerth berth = start("--pool-mode", "session", "--max-open-conns", "4");
             Connection a = berth.mariadbConnection(""); Connection b = berth.mariadbConnection("");
             Connection admin = admin(berth); Statement console = admin.createStatement()) {
            long aId = connectionId(a);
            connectionId(b);
            PoolStats stats = berth.poolStats();

            List<Map<String, String>> pools = rows(console, "SHOW POOLS");
            assertEquals(1, pools.size());
            assertEquals("" + stats.maxOpenConnections(), pools.get(0).get("max_open"));
            assertEquals("" + stats.openConnections(), pools.get(0).get("open"));
            assertEquals("2", pools.get(0).get("in_use"));
            assertEquals("session", pools.get(0).get("mode"));

            List<Map<String, String>> clients = rows(console, "SHOW CLIENTS");
            assertEquals(2, clients.size(), clients.toString());
            Map<String, String> first = clients.stream().filter(c -> c.get("id").equals("" + aId)).findFirst()
                    .orElseThrow(() -> new AssertionError("client " + aId + " not in " + clients));
            assertEquals(RunningBerth.USER, first.get("user"));
            assertEquals("idle in session", first.get("state"));
            assertTrue(first.get("address").startsWith("127.0.0.1:"), first.toString());

            List<Map<String, String>> servers = rows(console, "SHOW SERVERS");
            assertEquals(stats.openConnections(), servers.size(), servers.toString());
            assertEquals(2, servers.stream().filter(s -> s.get("state").equals("in use")).count(), servers.toString());
            assertEquals(first.get("backend_thread"), servers.stream().filter(s -> s.get("state").equals("in use"))
                    .map(s -> s.get("thread_id")).filter(first.get("backend_thread")::equals).findFirst().orElse(null));

            Map<String, String> statistics = new HashMap<>();
            rows(console, "SHOW STATS").forEach(row -> statistics.put(row.get("stat"), row.get("value")));
            PoolStats now = berth.poolStats();
            assertEquals("" + now.openConnections(), statistics.get("open_connections"));
            assertEquals("" + now.inUse(), statistics.get("in_use"));
            assertEquals("" + now.connects(), statistics.get("backend_connects"));
            assertEquals("" + now.acquireLatency().total(), "" + statistics.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("acquire_us.")).mapToLong(e -> Long.parseLong(e.getValue()))
                    .sum());
            assertEquals("2", statistics.get("client_connections"));

            Map<String, String> config = new HashMap<>();
            rows(console, "SHOW CONFIG").forEach(row -> config.put(row.get("setting"), row.get("value") + " from "
                    + row.get("source")));
            assertEquals("4 from flag", config.get("--max-open-conns"));
            assertEquals(RunningBerth.USER + ":*** from flag", config.get("--user"));
            assertFalse(config.toString().contains(RunningBerth.PASSWORD), config.toString());
            assertEquals(1, rows(console, "SHOW VERSION").size());

            SQLException unknown = assertThrows(SQLException.class, () -> console.execute("SHOW PASSWORDS"));
            assertEquals(1064, unknown.getErrorCode());
            assertTrue(unknown.getMessage().contains("SHOW POOLS"), unknown.getMessage());

            console.execute("KILL CLIENT " + aId);
            assertThrows(SQLException.class, () -> a.createStatement().executeQuery("SELECT 1").close());
            assertEquals(1094, assertThrows(SQLException.class, () -> console.execute("KILL CLIENT 999999"))
                    .getErrorCode());
        }
    }

    @Test
    void pauseHoldsNewTransactionsWhileARunningOneFinishes() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (RunningBerth berth = start("--pool-mode", "transaction", "--max-open-conns", "4");
             Connection running = berth.mariadbConnection(""); Connection waiting = berth.mariadbConnection("");
             Connection admin = admin(berth); Statement console = admin.createStatement()) {
            running.createStatement().execute("START TRANSACTION"); // holds its connection until it ends

            console.execute("PAUSE");
            assertEquals("yes", rows(console, "SHOW POOLS").get(0).get("paused"));
            Future<Integer> held = other.submit(() -> {
                try (ResultSet r = waiting.createStatement().executeQuery("SELECT 42")) {
                    r.next();
                    return r.getInt(1);
                }
            });
            assertThrows(TimeoutException.class, () -> held.get(1, TimeUnit.SECONDS), "a new transaction ran");
            assertEquals("1", rows(console, "SHOW POOLS").get(0).get("held"));

            running.createStatement().executeQuery("SELECT 2").close(); // the running transaction goes on
            running.createStatement().execute("COMMIT");

            console.execute("RESUME");
            assertEquals(42, held.get(10, TimeUnit.SECONDS));
            assertEquals("no", rows(console, "SHOW POOLS").get(0).get("paused"));
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void setChangesMaxOpenConnsLive() throws Exception {
        try (RunningBerth berth = start("--max-open-conns", "2", "--max-idle-conns", "2");
             Connection admin = admin(berth); Statement console = admin.createStatement()) {
            console.execute("SET max-open-conns = 6");
            assertEquals(6, berth.poolStats().maxOpenConnections());
            assertEquals("6", rows(console, "SHOW POOLS").get(0).get("max_open"));
            Map<String, String> config = new HashMap<>();
            rows(console, "SHOW CONFIG").forEach(row -> config.put(row.get("setting"), row.get("value") + " from "
                    + row.get("source")));
            assertEquals("6 from SET at run time", config.get("--max-open-conns"));

            SQLException invalid = assertThrows(SQLException.class, () -> console.execute("SET max-open-conns = 0"));
            assertTrue(invalid.getMessage().contains("--max-open-conns must be at least 1"), invalid.getMessage());
            SQLException fixed = assertThrows(SQLException.class, () -> console.execute("SET listen = ':1'"));
            assertTrue(fixed.getMessage().contains("cannot be SET"), fixed.getMessage());
            assertEquals(6, berth.poolStats().maxOpenConnections());
        }
    }

    @Test
    void reloadPicksUpANewUserFromTheUsersFile() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "first:one\n");
        try (RunningBerth berth = start("--users-file", users.toString());
             Connection admin = admin(berth); Statement console = admin.createStatement()) {
            String url = berth.mariadbUrl("");
            DriverManager.getConnection(url, "first", "one").close();
            assertEquals(1045, assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(url, "second", "two")).getErrorCode());
            Files.writeString(users, "first:one\nsecond:two\n");
            console.execute("RELOAD");
            DriverManager.getConnection(url, "second", "two").close();
        }
    }

    @Test
    void theMariadbCliReadsTheConsole() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/mariadb")), "needs the mariadb client");
        try (RunningBerth berth = start("--max-open-conns", "3")) {
            String pools = cli(berth, "SHOW POOLS");
            String[] lines = pools.split("\n");
            assertEquals("pool\tmode\tmax_open\topen\tin_use\tidle\twaiting\tpaused\theld", lines[0], pools);
            assertTrue(lines[1].contains("\t3\t"), pools);
            assertTrue(cli(berth, "SHOW STATS").contains("max_open_connections\t3"));
            assertTrue(cli(berth, "PAUSE; SHOW POOLS").contains("\tyes\t"));
            assertTrue(cli(berth, "RESUME; SHOW POOLS").contains("\tno\t"));
        }
    }

    private static String cli(RunningBerth berth, String sql) throws Exception {
        Process mariadb = new ProcessBuilder("/usr/bin/mariadb", "--protocol=tcp", "-h127.0.0.1",
                "-P" + berth.adminPort(), "-u" + ADMIN, "-p" + ADMIN_PASSWORD, "--skip-ssl", "-B", "-e", sql)
                .redirectErrorStream(true).start();
        String output = new String(mariadb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(mariadb.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, mariadb.exitValue(), output);
        return output;
    }

    private static long connectionId(Connection c) throws SQLException {
        try (ResultSet r = c.createStatement().executeQuery("SELECT CONNECTION_ID()")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static List<Map<String, String>> rows(Statement console, String sql) throws SQLException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (ResultSet r = console.executeQuery(sql)) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                Map<String, String> row = new HashMap<>();
                for (int i = 1; i <= columns; i++) {
                    row.put(r.getMetaData().getColumnLabel(i), r.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
