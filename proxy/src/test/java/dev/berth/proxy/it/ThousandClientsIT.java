package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import dev.berth.proxy.pool.PoolStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transaction pool mode at scale: 1,000 clients keep their connections open for the whole test, each with its own
 * sql_mode, time_zone, character set, schema and a prepared statement, and run short transactions in a loop over a
 * pool of 8. Every client sees only its own session and rows, the server never has more than 8 of Berth's
 * connections, and nothing fails.
 */
class ThousandClientsIT {
    private static final int CLIENTS = 1000;
    private static final int POOL = 8;
    private static final int ROUNDS = 3;
    private static final String OTHER_SCHEMA = "berth_it_many";
    private static final String[] SQL_MODES = {"STRICT_TRANS_TABLES", "ANSI_QUOTES", "NO_ZERO_DATE",
        "ONLY_FULL_GROUP_BY", ""};
    private static final String[] CHARSETS = {"utf8mb4", "latin1", "utf8mb3"};
    /**
     * Each time zone as a direct connection shows it: MariaDB 10.11 shows some offsets as others ('+08:10' as
     * '+05:54'), and through Berth the client must see the same.
     */
    private static final Map<String, String> SERVER_SHOWS = new HashMap<>();
    private static RunningBerth berth;
    /** The root account's connection ids on the server before Berth started. */
    private static final Set<String> BEFORE = ConcurrentHashMap.newKeySet();

    private static String timeZone(int id) {
        return String.format("+%02d:%02d", id % 13, id % 60);
    }

    @BeforeAll
    static void start() throws Exception {
        try (Connection root = TestDatabase.get().rootConnection(); Statement st = root.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + OTHER_SCHEMA);
            for (String schema : List.of(TestDatabase.DATABASE, OTHER_SCHEMA)) {
                st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".many_rows (owner INT, v INT, KEY (owner))");
                st.execute("DELETE FROM " + schema + ".many_rows");
            }
        }
        try (Connection direct = TestDatabase.get().rootConnection(); Statement st = direct.createStatement()) {
            for (int id = 0; id < CLIENTS; id++) {
                st.execute("SET time_zone = '" + timeZone(id) + "'");
                try (ResultSet rs = st.executeQuery("SELECT @@time_zone")) {
                    rs.next();
                    SERVER_SHOWS.put(timeZone(id), rs.getString(1));
                }
            }
        }
        try (Connection look = TestDatabase.get().rootConnection()) {
            // Connections of the root account that earlier tests left closing on the server are not Berth's.
            berthConnectionsOnServer(look).forEach(seen -> BEFORE.add(seen.substring(0, seen.indexOf('/'))));
        }
        berth = RunningBerth.start("--no-tls", "--pool-mode", "transaction", "--max-open-conns", String.valueOf(POOL),
                "--acquire-timeout", "60s");
    }

    @AfterAll
    static void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    /** What one client set up, and must keep seeing. */
    private record Client(int id, Connection connection, PreparedStatement state, String expected, String schema) {
    }

    @Test
    void eachOfAThousandClientsSeesOnlyItsOwnSessionOnAPoolOfEight() throws Exception {
        List<Client> clients = new ArrayList<>();
        ExecutorService workers = Executors.newFixedThreadPool(64);
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger mostOnServer = new AtomicInteger();
        List<String> busiest = new java.util.concurrent.CopyOnWriteArrayList<>();
        // One watcher connection for the whole test: one opened per look would linger on the server after closing.
        Connection watcher = TestDatabase.get().rootConnection();
        try {
            List<Future<Client>> opened = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                opened.add(workers.submit(() -> open(id)));
            }
            for (Future<Client> f : opened) {
                clients.add(f.get(120, TimeUnit.SECONDS));
            }
            watch.scheduleAtFixedRate(() -> {
                List<String> seen = berthConnectionsOnServer(watcher);
                if (seen.size() > mostOnServer.getAndAccumulate(seen.size(), Math::max)) {
                    busiest.clear();
                    busiest.addAll(seen);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            for (int round = 0; round < ROUNDS; round++) {
                int r = round;
                List<Future<String>> done = new ArrayList<>();
                for (Client c : clients) {
                    done.add(workers.submit(() -> transaction(c, r)));
                }
                List<String> failures = new ArrayList<>();
                for (Future<String> f : done) {
                    String outcome = f.get(120, TimeUnit.SECONDS);
                    if (!outcome.equals("ok")) {
                        failures.add(outcome);
                    }
                }
                assertEquals(List.of(), failures, "round " + round + ": " + failures.size() + " of " + CLIENTS
                        + " clients");
            }
            watch.shutdown();
            assertTrue(watch.awaitTermination(5, TimeUnit.SECONDS));
            PoolStats stats = berth.poolStats();
            assertTrue(stats.openConnections() <= POOL, stats.toString());
            assertTrue(mostOnServer.get() <= POOL, "the server saw " + mostOnServer.get() + " of Berth's connections: "
                    + busiest);
            assertTrue(mostOnServer.get() > 0, "the process list was read");
        } finally {
            watch.shutdownNow();
            workers.shutdownNow();
            watcher.close();
            for (Client c : clients) {
                c.connection().close();
            }
        }
    }

    private static Client open(int id) throws SQLException {
        String charset = CHARSETS[id % CHARSETS.length];
        String sqlMode = SQL_MODES[id % SQL_MODES.length];
        String timeZone = timeZone(id);
        String schema = id % 2 == 0 ? TestDatabase.DATABASE : OTHER_SCHEMA;
        Connection c = id % 2 == 0 ? berth.mariadbConnection("useServerPrepStmts=true")
                : berth.mysqlConnection("useServerPrepStmts=true");
        try (Statement st = c.createStatement()) {
            st.execute("SET sql_mode = '" + sqlMode + "', time_zone = '" + timeZone + "'");
            st.execute("SET NAMES " + charset);
            st.execute("USE " + schema);
        }
        PreparedStatement state = c.prepareStatement("SELECT CONCAT_WS('|', @@sql_mode, @@time_zone, "
                + "@@character_set_client, DATABASE(), ?, (SELECT COUNT(*) FROM many_rows WHERE owner = ?))");
        String expected = String.join("|", sqlMode, SERVER_SHOWS.get(timeZone), charset, schema);
        return new Client(id, c, state, expected, schema);
    }

    private static String transaction(Client c, int round) {
        try {
            Connection conn = c.connection();
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("INSERT INTO many_rows (owner, v) VALUES (" + c.id() + ", " + round + ")");
            }
            c.state().setInt(1, c.id());
            c.state().setInt(2, c.id());
            String seen;
            try (ResultSet rs = c.state().executeQuery()) {
                rs.next();
                seen = rs.getString(1);
            }
            conn.commit();
            conn.setAutoCommit(true);
            String expected = c.expected() + "|" + c.id() + "|" + (round + 1);
            return expected.equals(seen) ? "ok" : "client " + c.id() + " (Berth's " + threadId(conn) + ") saw " + seen
                    + ", expected " + expected;
        } catch (SQLException e) {
            return "client " + c.id() + " failed: " + e;
        }
    }

    private static long threadId(Connection c) throws SQLException {
        return c instanceof org.mariadb.jdbc.Connection mariadb ? mariadb.getThreadId()
                : c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).getId();
    }

    /** Berth's connections as the server lists them (id, command, time, state): all but the watcher's own. */
    private static List<String> berthConnectionsOnServer(Connection watcher) {
        List<String> seen = new ArrayList<>();
        try (Statement st = watcher.createStatement();
             ResultSet rs = st.executeQuery("SELECT ID, COMMAND, TIME, STATE FROM information_schema.PROCESSLIST "
                     + "WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Daemon' AND USER = '"
                     + TestDatabase.get().rootUser() + "'")) {
            while (rs.next()) {
                if (!BEFORE.contains(rs.getString(1))) {
                    seen.add(rs.getLong(1) + "/" + rs.getString(2) + "/" + rs.getLong(3) + "/" + rs.getString(4));
                }
            }
        } catch (SQLException e) {
            seen.addAll(java.util.Collections.nCopies(POOL + 1, e.toString())); // fails the bound, showing why
        }
        return seen;
    }
}
