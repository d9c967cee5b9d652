package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.BackendThread;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that dies leaves nothing behind for the next one, nor a statement running on the server. With
 * {@code --max-open-conns 1} the next client can only get the dead client's backend connection, so it must have been
 * reset (between commands, or after its statement was killed) or closed and replaced (mid-packet, see
 * HostileClientIT).
 */
class DirtyConnectionIT {
    private static final String TABLE = "dirty_rows";

    private RunningBerth berth;

    @BeforeAll
    static void createTable() throws SQLException {
        try (Connection c = TestDatabase.get().rootConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INT PRIMARY KEY, note VARCHAR(50)) ENGINE=InnoDB");
        }
    }

    @BeforeEach
    void start() throws Exception {
        try (Connection c = TestDatabase.get().rootConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + TABLE);
        }
        berth = RunningBerth.start("--no-tls", "--max-open-conns", "1", "--acquire-timeout", "10s");
    }

    @AfterEach
    void stop() {
        berth.close();
    }

    @Test
    void aClientKilledBetweenCommandsLeavesNoSessionStateForTheNext() throws Exception {
        long aId;
        Map<String, Long> closedBefore;
        RawMysqlClient a = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER, RunningBerth.PASSWORD,
                TestDatabase.DATABASE);
        try {
            aId = Long.parseLong(a.queryValue(BackendThread.SQL));
            dirty(a);
            closedBefore = berth.poolStats().closedByReason();
        } finally {
            a.kill();
        }
        // The raw client does not ask for CLIENT_FOUND_ROWS; useAffectedRows=true makes Connector/J agree with it,
        // so B can be served by A's connection (the flag is part of the pool key).
        assertCleanSession(aId, "useAffectedRows=true", closedBefore);
    }

    @Test
    void aJdbcClientAbortedBetweenCommandsLeavesNoSessionStateForTheNext() throws Exception {
        long aId;
        Map<String, Long> closedBefore;
        Connection a = berth.mariadbConnection("");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Statement s = a.createStatement()) {
            aId = value(s, BackendThread.SQL);
            s.execute("SET @berth_dirty = 42");
            s.execute("CREATE TEMPORARY TABLE dirty_tmp (x INT)");
            s.execute("START TRANSACTION");
            s.execute("INSERT INTO " + TABLE + " VALUES (1, 'uncommitted')");
            assertEquals(1, value(s, "SELECT @@in_transaction"));
            closedBefore = berth.poolStats().closedByReason();
            a.abort(executor); // closes the socket without COM_QUIT
        } finally {
            executor.shutdown();
        }
        assertCleanSession(aId, "", closedBefore);
    }

    private static void dirty(RawMysqlClient a) throws Exception {
        assertNull(a.query("SET @berth_dirty = 42").err());
        assertNull(a.query("CREATE TEMPORARY TABLE dirty_tmp (x INT)").err());
        assertNull(a.query("INSERT INTO dirty_tmp VALUES (7)").err());
        assertNull(a.query("START TRANSACTION").err());
        assertNull(a.query("INSERT INTO " + TABLE + " VALUES (1, 'uncommitted')").err());
        assertEquals("1", a.queryValue("SELECT @@in_transaction"));
        assertEquals("42", a.queryValue("SELECT @berth_dirty"));
    }

    private void assertCleanSession(long aId, String options, Map<String, Long> closedBefore) throws Exception {
        assertCleanSession(berth, aId, options, closedBefore);
    }

    /** The next client gets the same backend connection (it was reset, not closed) with nothing of A's on it. */
    private static void assertCleanSession(RunningBerth berth, long aId, String options,
                                           Map<String, Long> closedBefore) throws Exception {
        try (Connection b = berth.mysqlConnection(options); Statement s = b.createStatement()) {
            assertEquals(aId, value(s, BackendThread.SQL), "the only backend connection should be reused");
            try (ResultSet rs = s.executeQuery("SELECT @berth_dirty IS NULL, @@in_transaction")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "user variable survived");
                assertEquals(0, rs.getInt(2), "transaction survived");
            }
            SQLException missing = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM dirty_tmp"));
            assertEquals(1146, missing.getErrorCode(), missing.getMessage()); // ER_NO_SUCH_TABLE
            assertEquals(0, value(s, "SELECT COUNT(*) FROM " + TABLE + " WHERE id = 1"), "uncommitted row visible");
            // The row is not merely invisible to B: the transaction was rolled back, its lock is gone.
            s.execute("INSERT INTO " + TABLE + " VALUES (1, 'from B')");
            assertEquals(1, value(s, "SELECT COUNT(*) FROM " + TABLE));
        }
        assertEquals(closedBefore, berth.poolStats().closedByReason(), "nothing should have been closed");
    }

    @Test
    void aClientKilledMidResultHasTheStatementKilledAndItsBackendResetForTheNext() throws Exception {
        long aId;
        Map<String, Long> closedBefore;
        RawMysqlClient a = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER, RunningBerth.PASSWORD,
                TestDatabase.DATABASE);
        try {
            aId = Long.parseLong(a.queryValue(BackendThread.SQL));
            dirty(a);
            closedBefore = berth.poolStats().closedByReason();
            a.sendQuery("SELECT seq, REPEAT('x', 200) FROM seq_1_to_1000000");
            for (int i = 0; i < 1_000; i++) { // column count, definitions, EOF, then rows
                assertTrue(a.readPacket() != null);
            }
        } finally {
            a.kill();
        }
        assertCleanSession(aId, "useAffectedRows=true", closedBefore);
        assertCorrectResults();
    }

    @Test
    void aClientThatVanishesDuringALongQueryHasItKilledAtOnceByADedicatedConnection() throws Exception {
        // --max-open-conns 1: the only pooled connection is the one running the statement.
        assertVanishedClientsQueryKilled(berth, "useAffectedRows=true");
    }

    @Test
    void aClientThatVanishesDuringALongQueryHasItKilledAtOnceByAPooledConnection() throws Exception {
        try (RunningBerth roomy = RunningBerth.start("--no-tls", "--max-open-conns", "2", "--max-idle-conns", "2")) {
            assertVanishedClientsQueryKilled(roomy, "useAffectedRows=true");
            Eventually.await(Duration.ofSeconds(5), () -> roomy.poolStats().inUse() == 0,
                    () -> roomy.poolStats().toString());
            assertEquals(2, roomy.poolStats().idle(), "the connection that sent the KILL is pooled too: "
                    + roomy.poolStats());
        }
    }

    /**
     * A closes its socket (no COM_QUIT) while SLEEP(25) runs: within 2 s the server runs it no more, and the next
     * client gets the same backend connection, reset.
     */
    private static void assertVanishedClientsQueryKilled(RunningBerth berth, String options) throws Exception {
        String sleep = "SELECT SLEEP(25)";
        long aId;
        Map<String, Long> closedBefore;
        RawMysqlClient a = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER, RunningBerth.PASSWORD,
                TestDatabase.DATABASE);
        try {
            aId = Long.parseLong(a.queryValue(BackendThread.SQL));
            dirty(a);
            closedBefore = berth.poolStats().closedByReason();
            a.sendQuery(sleep);
            awaitRunningOnServer(aId, sleep);
        } finally {
            a.close();
        }
        long t0 = System.nanoTime();
        try (Connection root = TestDatabase.get().rootConnection();
             PreparedStatement s = root.prepareStatement(
                     "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO = ?")) {
            s.setLong(1, aId);
            s.setString(2, sleep);
            Eventually.await(Duration.ofSeconds(2), () -> {
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() && rs.getLong(1) == 0;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, () -> "the server still runs " + sleep + " for a client that left");
        }
        long killedAfter = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("%s: gone from the process list %d ms after its client left%n", sleep, killedAfter);
        assertCleanSession(berth, aId, options, closedBefore);
    }

    private void assertCorrectResults() throws Exception {
        try (Connection b = berth.mysqlConnection(""); Statement s = b.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(seq) FROM seq_1_to_100000")) {
                assertTrue(rs.next());
                assertEquals(100_000, rs.getLong(1));
                assertEquals(5_000_050_000L, rs.getLong(2));
            }
            long rows = 0;
            long sum = 0;
            try (ResultSet rs = s.executeQuery("SELECT seq, REPEAT('y', 100) FROM seq_1_to_200000")) {
                while (rs.next()) {
                    rows++;
                    sum += rs.getLong(1);
                    assertEquals(100, rs.getString(2).length());
                }
            }
            assertEquals(200_000, rows);
            assertEquals(20_000_100_000L, sum);
        }
    }

    /** Waits until the server runs {@code sql} on backend connection {@code id}. */
    private static void awaitRunningOnServer(long id, String sql) throws Exception {
        try (Connection root = TestDatabase.get().rootConnection();
             PreparedStatement s = root.prepareStatement(
                     "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO = ?")) {
            s.setLong(1, id);
            s.setString(2, sql);
            Eventually.await(Duration.ofSeconds(10), () -> {
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() && rs.getLong(1) == 1;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, () -> "backend connection " + id + " not running " + sql);
        }
    }

    private static long value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }
}
