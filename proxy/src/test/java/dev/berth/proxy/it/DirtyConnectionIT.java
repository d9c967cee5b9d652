package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * A client that dies leaves nothing behind for the next one. With {@code --max-open-conns 1} the next client can
 * only get the dead client's backend connection, so it must have been reset (between commands) or closed and
 * replaced (mid-command).
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

    /** The next client gets the same backend connection (it was reset, not closed) with nothing of A's on it. */
    private void assertCleanSession(long aId, String options, Map<String, Long> closedBefore) throws Exception {
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
    void aClientKilledMidResultHasItsBackendClosedNotReused() throws Exception {
        long aId;
        RawMysqlClient a = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER, RunningBerth.PASSWORD,
                TestDatabase.DATABASE);
        try {
            aId = Long.parseLong(a.queryValue(BackendThread.SQL));
            a.sendQuery("SELECT seq, REPEAT('x', 200) FROM seq_1_to_1000000");
            for (int i = 0; i < 1_000; i++) { // column count, definitions, EOF, then rows
                assertTrue(a.readPacket() != null);
            }
        } finally {
            a.kill();
        }
        assertMidCommandBackendReplaced(aId);
    }

    @Test
    void aClientKilledWhileItsQueryRunsHasItsBackendClosedNotReused() throws Exception {
        long aId;
        RawMysqlClient a = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER, RunningBerth.PASSWORD,
                TestDatabase.DATABASE);
        try {
            aId = Long.parseLong(a.queryValue(BackendThread.SQL));
            assertNull(a.query("SET @berth_dirty = 1").err());
            a.sendQuery("SELECT SLEEP(2)"); // part of the test: a query that still runs when A goes
            awaitRunningOnServer(aId, "SELECT SLEEP(2)");
        } finally {
            a.kill();
        }
        long millis = assertMidCommandBackendReplaced(aId);
        // A's backend connection is closed at once, so B gets a new one without waiting for A's SLEEP to end.
        assertTrue(millis < 2_000, "B waited " + millis + " ms for its first answer: for A's SLEEP to end?");
    }

    /**
     * B gets a different backend connection and correct results; A's was closed (and counted why). Returns how
     * long B waited for its connection and first answer, in milliseconds.
     */
    private long assertMidCommandBackendReplaced(long aId) throws Exception {
        long firstAnswerMillis;
        long t0 = System.nanoTime();
        try (Connection b = berth.mysqlConnection(""); Statement s = b.createStatement()) {
            long bId = value(s, BackendThread.SQL);
            firstAnswerMillis = (System.nanoTime() - t0) / 1_000_000;
            assertNotEquals(aId, bId, "a backend left mid-command must not be reused");
            try (ResultSet rs = s.executeQuery("SELECT @berth_dirty IS NULL, @@in_transaction")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals(0, rs.getInt(2));
            }
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
        Map<String, Long> closed = berth.poolStats().closedByReason();
        assertEquals(1L, closed.getOrDefault("client-left-mid-command", 0L), "closes by reason: " + closed);
        // And the server saw it go: A's backend session ends (its query is abandoned).
        try (Connection root = TestDatabase.get().rootConnection(); Statement s = root.createStatement()) {
            Eventually.await(Duration.ofSeconds(10), () -> {
                try {
                    return value(s, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + aId) == 0;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, () -> "backend connection " + aId + " still on the server");
        }
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().inUse() == 0,
                () -> "pool " + berth.poolStats());
        assertEquals(1, berth.poolStats().openConnections(), berth.poolStats().toString());
        return firstAnswerMillis;
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
