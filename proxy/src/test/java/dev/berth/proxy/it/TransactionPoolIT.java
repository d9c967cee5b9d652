package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import dev.berth.proxy.pool.PoolStats;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Transaction pool mode against the real server: clients hold a backend connection only while a statement runs, a
 * transaction is open or something pins them, and each sees only its own session on whichever of the two pooled
 * connections serves it.
 */
class TransactionPoolIT {
    private static final int POOL = 2;
    private static final String OTHER_SCHEMA = "berth_it_tx";
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        try (Connection root = TestDatabase.get().rootConnection(); Statement st = root.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + OTHER_SCHEMA);
            st.execute("CREATE TABLE IF NOT EXISTS tx_rows (id INT AUTO_INCREMENT PRIMARY KEY, owner INT, v INT)");
            st.execute("CREATE TABLE IF NOT EXISTS tx_other (a INT)");
            // A change of session tracking Berth cannot see coming: made inside a procedure.
            st.execute("CREATE OR REPLACE PROCEDURE tx_stop_tracking_schema() SET SESSION session_track_schema = OFF");
            st.execute("DELETE FROM tx_rows WHERE owner < 0");
        }
        berth = RunningBerth.start("--no-tls", "--pool-mode", "transaction", "--max-open-conns", String.valueOf(POOL));
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    @AfterEach
    void nothingHeldAfterwards() throws InterruptedException {
        awaitInUse(0);
    }

    private static void awaitInUse(int inUse) throws InterruptedException {
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().inUse() == inUse,
                () -> berth.poolStats().toString());
    }

    private static RawMysqlClient raw() throws Exception {
        return RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER, RunningBerth.PASSWORD,
                TestDatabase.DATABASE);
    }

    private static String value(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    @Test
    void idleClientsHoldNoBackendConnection() throws Exception {
        List<Connection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                Connection c = berth.mariadbConnection("");
                clients.add(c);
                assertEquals("1", value(c, "SELECT 1"));
            }
            awaitInUse(0);
            for (Connection c : clients) {
                assertEquals(TestDatabase.DATABASE, value(c, "SELECT DATABASE()"));
            }
            PoolStats stats = berth.poolStats();
            assertTrue(stats.openConnections() <= POOL, stats.toString());
        } finally {
            for (Connection c : clients) {
                c.close();
            }
        }
    }

    /** The server dropping every idle backend connection costs an idle client nothing: its session is in Berth. */
    @Test
    void anIdleClientOutlivesTheBackendConnectionsTheServerDrops() throws Exception {
        try (Connection c = berth.mariadbConnection(""); Connection root = TestDatabase.get().rootConnection();
             Statement st = root.createStatement()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET time_zone = '+05:30'");
            }
            awaitInUse(0);
            List<Long> idle = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '"
                    + TestDatabase.get().rootUser() + "' AND ID <> CONNECTION_ID() AND COMMAND = 'Sleep'")) {
                while (rs.next()) {
                    idle.add(rs.getLong(1));
                }
            }
            assertFalse(idle.isEmpty(), "Berth's idle backend connections are in the process list");
            for (long id : idle) {
                st.execute("KILL " + id);
            }
            // KILL returns before the server closes the socket; a statement sent in between would meet a closing
            // connection, as it would directly. What is tested is the session outliving connections known gone.
            Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().openConnections() == 0,
                    () -> berth.poolStats().toString());
            assertEquals("+05:30", value(c, "SELECT @@time_zone"));
        }
    }

    @Test
    void eachClientSeesOnlyItsOwnSessionWhicheverConnectionServesIt() throws Exception {
        int n = 6;
        List<Connection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Connection c = berth.mariadbConnection("");
                clients.add(c);
                try (Statement st = c.createStatement()) {
                    st.execute("SET time_zone = '+0" + i + ":00'");
                    st.execute(i % 2 == 0 ? "SET sql_mode = 'ANSI_QUOTES'" : "SET sql_mode = 'NO_ZERO_DATE'");
                    st.execute("SET SESSION max_statement_time = " + (i + 1));
                    if (i % 3 == 0) {
                        st.execute("SET NAMES latin1");
                    }
                    if (i % 2 == 1) {
                        st.execute("USE " + OTHER_SCHEMA);
                    }
                }
            }
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < n; i++) {
                    Connection c = clients.get(i);
                    String seen = value(c, "SELECT CONCAT_WS('|', @@time_zone, @@sql_mode, @@max_statement_time, "
                            + "@@character_set_client, @@character_set_results, DATABASE())");
                    String expected = String.join("|", "+0" + i + ":00",
                            i % 2 == 0 ? "ANSI_QUOTES" : "NO_ZERO_DATE", (i + 1) + ".000000",
                            i % 3 == 0 ? "latin1" : "utf8mb4", i % 3 == 0 ? "latin1" : "utf8mb4",
                            i % 2 == 1 ? OTHER_SCHEMA : TestDatabase.DATABASE);
                    assertEquals(expected, seen, "client " + i + " in round " + round);
                }
            }
            assertTrue(berth.poolStats().openConnections() <= POOL, berth.poolStats().toString());
        } finally {
            for (Connection c : clients) {
                c.close();
            }
        }
    }

    @Test
    void connectionIdIsTheGreetingsOnWhicheverConnection() throws Exception {
        try (RawMysqlClient a = raw(); RawMysqlClient b = raw(); RawMysqlClient c = raw()) {
            for (int round = 0; round < 3; round++) {
                for (RawMysqlClient client : List.of(a, b, c)) {
                    assertNull(client.query("SELECT 1").err());
                    assertEquals(String.valueOf(client.greeting().connectionId()),
                            client.queryValue("SELECT CONNECTION_ID()"));
                    // A warning keeps the connection for the next statement, which then runs unaligned on it.
                    assertNull(client.query("SELECT 'x' + 1").err());
                    assertEquals(String.valueOf(client.greeting().connectionId()),
                            client.queryValue("SELECT CONNECTION_ID()"));
                }
            }
        }
    }

    /**
     * The server keys temporary tables by pseudo_thread_id, which Berth sets for CONNECTION_ID(): it is set before a
     * temporary table is created, not after (the table would vanish), even on a connection held from the statement
     * before.
     */
    @Test
    void aTemporaryTableSurvivesTheConnectionIdBeingRead() throws Exception {
        try (Connection c = berth.mariadbConnection("useServerPrepStmts=true"); Statement st = c.createStatement()) {
            st.executeQuery("SELECT 'x' + 1").close(); // a warning: the connection is held for the next statement
            st.execute("CREATE TEMPORARY TABLE tx_temp_id (a INT)");
            st.execute("INSERT INTO tx_temp_id VALUES (7)");
            try (PreparedStatement ps = c.prepareStatement("SELECT CONNECTION_ID()"); ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(((org.mariadb.jdbc.Connection) c).getThreadId(), rs.getLong(1));
            }
            assertEquals("7", value(c, "SELECT a FROM tx_temp_id"));
            st.execute("DROP TEMPORARY TABLE tx_temp_id");
        }
    }

    @Test
    void aTransactionKeepsItsConnectionUntilItEnds() throws Exception {
        try (Connection writer = berth.mariadbConnection(""); Connection reader = berth.mariadbConnection("")) {
            writer.setAutoCommit(false);
            try (Statement st = writer.createStatement()) {
                st.executeUpdate("INSERT INTO tx_rows (owner, v) VALUES (-1, 1)");
            }
            awaitInUse(1);
            assertEquals("0", value(reader, "SELECT COUNT(*) FROM tx_rows WHERE owner = -1"));
            assertEquals("1", value(writer, "SELECT COUNT(*) FROM tx_rows WHERE owner = -1"));
            writer.rollback();
            awaitInUse(0);
            assertEquals("0", value(writer, "SELECT COUNT(*) FROM tx_rows WHERE owner = -1"));

            try (Statement st = writer.createStatement()) {
                st.execute("BEGIN");
                st.executeUpdate("INSERT INTO tx_rows (owner, v) VALUES (-2, 1)");
                awaitInUse(1);
                st.execute("COMMIT");
            }
            awaitInUse(0);
            assertEquals("1", value(reader, "SELECT COUNT(*) FROM tx_rows WHERE owner = -2"));
        }
    }

    /**
     * Each reason: a statement pins, the state survives while another client takes the other pooled connection
     * (where an unpinned client would land next), the pool counts the reason, and the state's end unpins
     * ({@code reset}: the client's COM_RESET_CONNECTION; {@code next}: the statement after; else the statements
     * given, separated by {@code ;;}).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "user-variables          | SET @tx_v = 42                               | SELECT @tx_v                  | 42 | reset",
        "temporary-tables        | CREATE TEMPORARY TABLE tx_tmp (a INT)        | SELECT COUNT(*) FROM tx_tmp   | 0  | reset",
        "named-locks             | SELECT GET_LOCK('tx_lock', 1)                | SELECT IS_FREE_LOCK('tx_lock') | 0 | SELECT RELEASE_ALL_LOCKS()",
        "table-locks             | LOCK TABLES tx_rows READ                     | SELECT COUNT(*) FROM tx_other | ERR 1100 | UNLOCK TABLES",
        "sql-prepared-statements | PREPARE tx_s FROM 'SELECT 7'                 | EXECUTE tx_s                  | 7  | reset",
        "handler                 | HANDLER tx_other OPEN                        | HANDLER tx_other READ FIRST   | -  | reset",
        "found-rows              | SELECT SQL_CALC_FOUND_ROWS 1 FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) t LIMIT 1 | SELECT FOUND_ROWS() | 3 | next",
        "state-change            | SELECT LAST_INSERT_ID(99)                    | SELECT LAST_INSERT_ID()       | 99 | reset",
        "xa                      | XA START 'tx_xa'                             | SELECT @@in_transaction       | 1  | XA END 'tx_xa' ;; XA ROLLBACK 'tx_xa'",
        "session-tracking        | CALL tx_stop_tracking_schema()               | SELECT @@session_track_schema | 0  | reset",
    })
    void aPinKeepsStateThatCannotMove(String reason, String pin, String check, String expected, String unpin)
            throws Exception {
        try (RawMysqlClient pinned = raw(); RawMysqlClient other = raw()) {
            RawMysqlClient.Result pinResult = pinned.query(pin);
            assertNull(pinResult.err(), pin + ": " + pinResult.err());
            assertEquals(1L, berth.poolStats().pinnedByReason().getOrDefault(reason, 0L),
                    berth.poolStats().pinnedByReason().toString());
            // The other client now holds a connection in a transaction: an unpinned client would be served by the
            // remaining one, where the state is not.
            assertNull(other.query("BEGIN").err());
            assertNull(other.query("SELECT COUNT(*) FROM tx_rows").err());
            RawMysqlClient.Result checked = pinned.query(check);
            if (expected.startsWith("ERR ")) {
                assertNotNull(checked.err(), check);
                assertEquals(Integer.parseInt(expected.substring(4)), checked.err().code(), checked.err().toString());
            } else {
                assertNull(checked.err(), check + ": " + checked.err());
                if (!expected.equals("-")) {
                    assertEquals(expected, checked.rows().get(0).get(0), check);
                }
            }
            assertNull(other.query("COMMIT").err());
            if (unpin.equals("reset")) {
                pinned.command(Command.COM_RESET_CONNECTION, new byte[0]);
                assertTrue(pinned.readPacket().isOk());
            } else if (!unpin.equals("next")) {
                for (String statement : unpin.split(";;")) {
                    assertNull(pinned.query(statement.strip()).err(), statement);
                }
            }
            assertEquals(0L, berth.poolStats().pinnedByReason().getOrDefault(reason, 0L),
                    berth.poolStats().pinnedByReason().toString());
            awaitInUse(0);
        }
    }

    /**
     * MariaDB Connector/J changes session_track_system_variables right after its login (to follow tx_isolation):
     * Berth reads the client's settings back and keeps its own tracking, so the client is not pinned, its isolation
     * level follows it to other connections, and it is shown the tx_isolation changes it asked to see.
     */
    @Test
    void aClientThatChangesItsTrackingIsFollowedNotPinned() throws Exception {
        try (Connection c = berth.mariadbConnection(""); Connection other = berth.mariadbConnection("")) {
            assertEquals(Map.of(), berth.poolStats().pinnedByReason());
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try (Statement st = other.createStatement()) {
                st.execute("BEGIN");
                st.execute("SELECT COUNT(*) FROM tx_rows");
                assertEquals("READ-COMMITTED", value(c, "SELECT @@tx_isolation"));
                st.execute("COMMIT");
            }
            assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
            assertEquals("REPEATABLE-READ", value(other, "SELECT @@tx_isolation"));
            assertEquals(Map.of(), berth.poolStats().pinnedByReason());
        }
    }

    /** Prepared statements pin nothing: each client's statements run on whichever connection is free. */
    @Test
    void preparedStatementsAreMultiplexedNotPinned() throws Exception {
        List<Connection> clients = new ArrayList<>();
        List<PreparedStatement> statements = new ArrayList<>();
        try {
            for (int i = 0; i < 3 * POOL; i++) {
                Connection c = i % 2 == 0 ? berth.mariadbConnection("useServerPrepStmts=true&cachePrepStmts=false")
                        : berth.mysqlConnection("useServerPrepStmts=true&cachePrepStmts=false");
                clients.add(c);
                statements.add(c.prepareStatement("SELECT ? + " + (i % 2) + ", CONNECTION_ID()"));
            }
            awaitInUse(0);
            assertTrue(berth.poolStats().pinnedByReason().values().stream().allMatch(n -> n == 0),
                    berth.poolStats().toString());
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < statements.size(); i++) {
                    PreparedStatement ps = statements.get(i);
                    ps.setInt(1, 100 * round + i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(100 * round + i + i % 2, rs.getInt(1));
                        assertEquals(threadId(clients.get(i)), rs.getLong(2));
                    }
                }
            }
            for (PreparedStatement ps : statements) {
                ps.close();
            }
            assertTrue(berth.poolStats().openConnections() <= POOL, berth.poolStats().toString());
        } finally {
            for (Connection c : clients) {
                c.close();
            }
        }
    }

    private static long threadId(Connection c) throws SQLException {
        return c instanceof org.mariadb.jdbc.Connection mariadb ? mariadb.getThreadId()
                : c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).getId();
    }

    /**
     * The go-sql-driver pattern (prepare, execute, close for every parameterised query) costs the server at most one
     * prepare per statement per connection: Berth answers the client's prepares itself and keeps the statement
     * prepared on each connection.
     */
    @Test
    void preparingTheSameStatementAgainCostsTheServerNothing() throws Exception {
        int clients = 4;
        int perClient = 50;
        long before = globalStatus("Com_stmt_prepare");
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            int client = k;
            runs.add(CompletableFuture.runAsync(() -> {
                try (Connection c = berth.mysqlConnection("useServerPrepStmts=true&cachePrepStmts=false")) {
                    for (int i = 0; i < perClient; i++) {
                        String sql = i % 2 == 0 ? "SELECT ? * 2" : "SELECT CONCAT(?, '-', ?)";
                        try (PreparedStatement ps = c.prepareStatement(sql)) {
                            ps.setInt(1, i);
                            if (i % 2 == 1) {
                                ps.setString(2, "c" + client);
                            }
                            try (ResultSet rs = ps.executeQuery()) {
                                assertTrue(rs.next());
                                assertEquals(i % 2 == 0 ? String.valueOf(2 * i) : i + "-c" + client, rs.getString(1));
                            }
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long serverPrepares = globalStatus("Com_stmt_prepare") - before;
        assertTrue(serverPrepares <= 2L * POOL, "the server prepared " + serverPrepares + " times for "
                + clients * perClient + " client prepares of 2 statements on " + POOL + " connections");
    }

    private static long globalStatus(String name) throws SQLException {
        try (Connection root = TestDatabase.get().rootConnection(); Statement st = root.createStatement();
             ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            assertTrue(rs.next());
            return rs.getLong(2);
        }
    }

    /**
     * Connector/J sends parameter types only when they change; the connection that runs the execution may have the
     * statement bound with another client's types, which Berth then sends again.
     */
    @Test
    void executionsWithoutTypesGetTheClientsOwn() throws Exception {
        try (Connection ints = berth.mysqlConnection("useServerPrepStmts=true&cachePrepStmts=false");
             Connection strings = berth.mysqlConnection("useServerPrepStmts=true&cachePrepStmts=false");
             PreparedStatement a = ints.prepareStatement("SELECT CONCAT('<', ?, '>')");
             PreparedStatement b = strings.prepareStatement("SELECT CONCAT('<', ?, '>')")) {
            for (int i = 0; i < 6; i++) {
                a.setLong(1, i);
                b.setString(1, "s" + i);
                try (ResultSet rs = a.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("<" + i + ">", rs.getString(1));
                }
                try (ResultSet rs = b.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("<s" + i + ">", rs.getString(1));
                }
            }
        }
    }

    /** A cursor stays on its connection until it is read to the end; an unknown statement id is refused. */
    @Test
    void anOpenCursorPinsUntilItsLastRow() throws Exception {
        try (Connection c = berth.mysqlConnection("useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=2");
             PreparedStatement ps = c.prepareStatement("SELECT seq FROM seq_1_to_7 WHERE seq > ?")) {
            ps.setInt(1, 0);
            ps.setFetchSize(2);
            int sum = 0;
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                sum += rs.getInt(1);
                assertEquals(1L, berth.poolStats().pinnedByReason().getOrDefault("open-cursor", 0L));
                while (rs.next()) {
                    sum += rs.getInt(1);
                }
            }
            assertEquals(28, sum);
            assertEquals("1", value(c, "SELECT 1"));
            assertEquals(0L, berth.poolStats().pinnedByReason().getOrDefault("open-cursor", 0L));
        }
        try (RawMysqlClient client = raw()) {
            client.command(0x17, new byte[] {0x39, 0x30, 0, 0, 0, 1, 0, 0, 0}); // COM_STMT_EXECUTE of 12345
            RawMysqlClient.Err unknown = client.read(1).get(0).err();
            assertEquals(1243, unknown.code(), unknown.toString());
        }
    }

    /**
     * COM_STMT_SEND_LONG_DATA leaves parameter data on the connection that got it: the client is pinned there (the
     * other clients are served by the other connection) until the execution that uses it, or a COM_STMT_RESET that
     * drops it, has run.
     */
    @Test
    void longDataPinsUntilItsExecutionOrAReset() throws Exception {
        try (RawMysqlClient client = raw(); RawMysqlClient other = raw()) {
            int id = prepare(client, "SELECT CONCAT(?, '|', ?)", 1);
            sendLongData(client, id, 0, "hello ");
            sendLongData(client, id, 0, "world");
            Eventually.await(Duration.ofSeconds(5),
                    () -> berth.poolStats().pinnedByReason().getOrDefault("long-data", 0L) == 1L,
                    () -> berth.poolStats().toString());
            for (int i = 0; i < 5; i++) {
                assertEquals(String.valueOf(i), other.queryValue("SELECT " + i));
            }
            assertEquals("hello world|x", executeTwoStrings(client, id, null, "x"));
            assertEquals(0L, berth.poolStats().pinnedByReason().getOrDefault("long-data", 0L));
            awaitInUse(0);

            sendLongData(client, id, 0, "dropped");
            Eventually.await(Duration.ofSeconds(5),
                    () -> berth.poolStats().pinnedByReason().getOrDefault("long-data", 0L) == 1L,
                    () -> berth.poolStats().toString());
            client.command(0x1a, int4(id)); // COM_STMT_RESET
            RawMysqlClient.Packet reset = client.readPacket();
            assertTrue(reset.isOk(), reset.describe());
            assertEquals(0L, berth.poolStats().pinnedByReason().getOrDefault("long-data", 0L));
            awaitInUse(0);
            assertEquals("a|b", executeTwoStrings(client, id, "a", "b"));
        }
    }

    /** Blobs streamed by Connector/J (COM_STMT_SEND_LONG_DATA) from clients at once each land in their own row. */
    @Test
    void streamedParametersOfClientsAtOnceStayTheirOwn() throws Exception {
        int clients = 4;
        long sentBefore = globalStatus("Com_stmt_send_long_data");
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            int owner = -100 - k;
            runs.add(CompletableFuture.runAsync(() -> {
                try (Connection c = berth.mysqlConnection("useServerPrepStmts=true&cachePrepStmts=false");
                     PreparedStatement insert = c.prepareStatement(
                             "INSERT INTO tx_rows (owner, v) VALUES (?, LENGTH(?))");
                     PreparedStatement select = c.prepareStatement(
                             "SELECT ? = REPEAT(CHAR(65 + ?), ?)")) {
                    for (int i = 1; i <= 10; i++) {
                        byte[] blob = new byte[1000 * i + owner];
                        java.util.Arrays.fill(blob, (byte) ('A' - owner - 100));
                        insert.setInt(1, owner);
                        insert.setBinaryStream(2, new java.io.ByteArrayInputStream(blob), blob.length);
                        assertEquals(1, insert.executeUpdate());
                        select.setBinaryStream(1, new java.io.ByteArrayInputStream(blob), blob.length);
                        select.setInt(2, -owner - 100);
                        select.setInt(3, blob.length);
                        try (ResultSet rs = select.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals(1, rs.getInt(1), "client " + owner + ", value " + i);
                        }
                    }
                    assertEquals(String.valueOf(10 * (5500 + owner)),
                            value(c, "SELECT SUM(v) FROM tx_rows WHERE owner = " + owner));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long sent = globalStatus("Com_stmt_send_long_data") - sentBefore;
        assertTrue(sent >= 2L * 10 * clients, "the server got " + sent + " COM_STMT_SEND_LONG_DATA");
        assertEquals(0L, berth.poolStats().pinnedByReason().getOrDefault("long-data", 0L));
    }

    /**
     * A client that pipelines commands while every connection is busy gets every answer, in order, once one is free:
     * nothing it sent is answered early (a ping, a reset) or lost, and the reset takes effect where it stands.
     */
    @Test
    void pipelinedCommandsWaitingForAConnectionAreAnsweredInOrder() throws Exception {
        String serverDefault;
        try (Connection root = TestDatabase.get().rootConnection()) {
            serverDefault = value(root, "SELECT @@global.time_zone");
        }
        try (RawMysqlClient a = raw(); RawMysqlClient b = raw(); RawMysqlClient c = raw()) {
            assertNull(c.query("SET time_zone = '+03:00'").err());
            assertNull(a.query("BEGIN").err());
            assertNull(a.query("SELECT 1").err());
            assertNull(b.query("BEGIN").err());
            assertNull(b.query("SELECT 1").err());
            awaitInUse(POOL);
            java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
            burst.writeBytes(RawMysqlClient.frame(0, RawMysqlClient.queryPayload("SELECT @@time_zone")));
            burst.writeBytes(RawMysqlClient.frame(0, new byte[] {Command.COM_PING}));
            burst.writeBytes(RawMysqlClient.frame(0, new byte[] {Command.COM_RESET_CONNECTION}));
            burst.writeBytes(RawMysqlClient.frame(0, RawMysqlClient.queryPayload("SELECT @@time_zone")));
            burst.writeBytes(RawMysqlClient.frame(0, RawMysqlClient.queryPayload("SET @v = 'last'")));
            burst.writeBytes(RawMysqlClient.frame(0, RawMysqlClient.queryPayload("SELECT @v")));
            c.writeRaw(burst.toByteArray());
            Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().waiting() == 1,
                    () -> berth.poolStats().toString());
            assertNull(a.query("COMMIT").err());
            assertEquals(List.of(List.of("+03:00")), c.readResult().rowsOrThrow());
            assertTrue(c.readPacket().isOk(), "the ping's OK");
            assertTrue(c.readPacket().isOk(), "the reset's OK");
            assertEquals(List.of(List.of(serverDefault)), c.readResult().rowsOrThrow());
            assertNull(c.readResult().err());
            assertEquals(List.of(List.of("last")), c.readResult().rowsOrThrow());
            assertNull(b.query("COMMIT").err());
        }
    }

    /** COM_STMT_PREPARE by raw protocol: the statement id (PREPARE_OK, parameter and column definitions read). */
    private static int prepare(RawMysqlClient client, String sql, int columns) throws Exception {
        client.command(0x16, sql.getBytes(StandardCharsets.UTF_8));
        RawMysqlClient.Packet ok = client.readPacket();
        assertTrue(ok.isOk(), ok.describe());
        byte[] b = ok.payload();
        int id = (b[1] & 0xff) | (b[2] & 0xff) << 8 | (b[3] & 0xff) << 16 | (b[4] & 0xff) << 24;
        int params = (b[7] & 0xff) | (b[8] & 0xff) << 8;
        int cols = (b[5] & 0xff) | (b[6] & 0xff) << 8;
        assertEquals(columns, cols);
        client.read((params > 0 ? params + 1 : 0) + (cols > 0 ? cols + 1 : 0));
        return id;
    }

    private static void sendLongData(RawMysqlClient client, int id, int param, String data) throws Exception {
        byte[] chunk = data.getBytes(StandardCharsets.UTF_8);
        byte[] argument = new byte[6 + chunk.length];
        System.arraycopy(int4(id), 0, argument, 0, 4);
        argument[4] = (byte) param;
        System.arraycopy(chunk, 0, argument, 6, chunk.length);
        client.command(0x18, argument); // COM_STMT_SEND_LONG_DATA: no answer
    }

    /**
     * COM_STMT_EXECUTE of a two-string-parameter, one-column statement; a null {@code first} is left to the long
     * data sent before. The one value of the one row.
     */
    private static String executeTwoStrings(RawMysqlClient client, int id, String first, String second)
            throws Exception {
        java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
        p.writeBytes(int4(id));
        p.write(0); // no cursor
        p.writeBytes(int4(1)); // iteration count
        p.write(0); // null bitmap: none null
        p.write(1); // types follow
        p.writeBytes(new byte[] {(byte) 0xfe, 0, (byte) 0xfe, 0});
        for (String value : first == null ? List.of(second) : List.of(first, second)) {
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            p.write(v.length);
            p.writeBytes(v);
        }
        client.command(0x17, p.toByteArray());
        RawMysqlClient.Packet head = client.readPacket();
        assertFalse(head.isErr(), head.describe());
        List<RawMysqlClient.Packet> rest = client.read(4); // column, EOF, row, EOF
        assertTrue(rest.get(3).isEof(), rest.get(3).describe());
        byte[] row = rest.get(2).payload(); // 0x00, null bitmap (1 byte), length-encoded string
        return new String(row, 3, row[2] & 0xff, StandardCharsets.UTF_8);
    }

    private static byte[] int4(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    /**
     * LAST_INSERT_ID(), @@identity, SHOW WARNINGS, @@warning_count and SHOW ERRORS give what a direct connection
     * gives, while another client runs its own inserts and warnings between the statements.
     */
    @Test
    void statementsThatLookAtThePreviousOneAgreeWithADirectConnection() throws Exception {
        List<String> direct;
        try (Connection c = TestDatabase.get().rootConnection()) {
            direct = previousStatementScript(c, null);
        }
        List<String> through;
        try (Connection c = berth.mariadbConnection(""); Connection noise = berth.mariadbConnection("")) {
            through = previousStatementScript(c, noise);
        }
        assertEquals(direct, through);
    }

    /**
     * A client that asks for warnings after Berth gave its connection back (past the short hold) is never shown
     * those of the client that used the connection since: it sees none.
     */
    @Test
    void lateDiagnosticsNeverShowAnotherClients() throws Exception {
        try (RawMysqlClient late = raw(); RawMysqlClient other = raw()) {
            assertNull(late.query("SELECT 'late' + 1").err());
            awaitInUse(0);
            assertNull(other.query("SELECT 'other' + 1").err());
            awaitInUse(0);
            RawMysqlClient.Result warnings = late.query("SHOW WARNINGS");
            assertNull(warnings.err());
            assertTrue(warnings.rows().stream().noneMatch(row -> String.join(" ", row).contains("other")),
                    warnings.rows().toString());
            assertEquals("0", late.queryValue("SELECT @@warning_count"));
        }
    }

    private static List<String> previousStatementScript(Connection c, Connection noise) throws SQLException {
        List<String> seen = new ArrayList<>();
        String[][] script = {
            {"INSERT INTO tx_rows (owner, v) VALUES (1, 1)", "SELECT LAST_INSERT_ID() = (SELECT MAX(id) FROM tx_rows WHERE owner = 1)"},
            {"INSERT INTO tx_rows (owner, v) VALUES (1, 2), (1, 3)", "SELECT LAST_INSERT_ID() = (SELECT MAX(id) FROM tx_rows WHERE owner = 1 AND v = 2)"},
            {"SELECT 1", "SELECT @@identity = (SELECT MAX(id) FROM tx_rows WHERE owner = 1 AND v = 2)"},
            {"SELECT 'x' + 1", "SHOW WARNINGS"},
            {"SELECT 'y' + 1, 'z' + 1", "SELECT @@warning_count"},
            {"SELECT * FROM no_such_table_tx", "SHOW ERRORS"},
            {"SELECT * FROM no_such_table_tx", "SELECT @@error_count"},
            {"SELECT 1", "SHOW WARNINGS"},
        };
        for (String[] step : script) {
            try (Statement st = c.createStatement()) {
                try {
                    st.execute(step[0]);
                } catch (SQLException expectedForSome) {
                    seen.add("ERR " + expectedForSome.getErrorCode());
                }
                if (noise != null) {
                    try (Statement o = noise.createStatement()) {
                        o.execute("INSERT INTO tx_rows (owner, v) VALUES (2, 9)");
                        o.execute("SELECT 'noise' + 1");
                    }
                }
                try (ResultSet rs = st.executeQuery(step[1])) {
                    while (rs.next()) {
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            row.add(rs.getString(i));
                        }
                        seen.add(step[1] + " -> " + row);
                    }
                }
            }
        }
        return seen;
    }

    @Test
    void manyClientsOnTwoConnectionsEachKeepTheirOwnRowsAndVariables() throws Exception {
        int clients = 40;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = 1000 + i;
                results.add(pool.submit(() -> {
                    try (Connection c = berth.mariadbConnection("")) {
                        try (Statement st = c.createStatement()) {
                            st.execute("SET time_zone = '+00:" + String.format("%02d", id % 60) + "'");
                            st.execute("DELETE FROM tx_rows WHERE owner = " + id);
                        }
                        for (int k = 0; k < 15; k++) {
                            c.setAutoCommit(false);
                            try (Statement st = c.createStatement()) {
                                st.executeUpdate("INSERT INTO tx_rows (owner, v) VALUES (" + id + ", " + k + ")");
                                c.commit();
                            }
                            c.setAutoCommit(true);
                            String seen = value(c, "SELECT CONCAT(@@time_zone, '|', COUNT(*)) FROM tx_rows WHERE owner = "
                                    + id);
                            String expected = "+00:" + String.format("%02d", id % 60) + "|" + (k + 1);
                            if (!expected.equals(seen)) {
                                return "client " + id + " saw " + seen + ", expected " + expected;
                            }
                        }
                    }
                    return "ok";
                }));
            }
            for (Future<String> r : results) {
                assertEquals("ok", r.get());
            }
            PoolStats stats = berth.poolStats();
            assertTrue(stats.openConnections() <= POOL, stats.toString());
            assertEquals(Map.of(), stats.pinnedByReason());
        } finally {
            pool.shutdownNow();
        }
    }
}
