package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KILL names the connection id of Berth's greeting; Berth maps it to the backend thread that client holds, so a
 * driver's Statement.cancel() stops its own query and nobody else's.
 */
class KillIT {
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        berth = RunningBerth.start("--no-tls");
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    @Test
    void statementCancelStopsOnlyThatClientsQuery() throws Exception {
        try (Connection victim = berth.mysqlConnection(""); Connection bystander = berth.mysqlConnection("");
             Statement sleeping = victim.createStatement(); Statement other = bystander.createStatement()) {
            // The server-side SLEEPs are part of the test: the victim's runs until cancelled, the bystander's runs
            // alongside it and must reach its end.
            CompletableFuture<ResultSet> bystanderQuery = CompletableFuture.supplyAsync(() -> {
                try {
                    return other.executeQuery("SELECT SLEEP(2), 'bystander'");
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    // Both queries run on the server: the cancel has one to stop and one to leave alone.
                    awaitRunning("SELECT SLEEP(30)");
                    awaitRunning("SELECT SLEEP(2), 'bystander'");
                    sleeping.cancel(); // Connector/J sends KILL QUERY <greeting id> on a new connection
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> {
                try (ResultSet rs = sleeping.executeQuery("SELECT SLEEP(30)")) {
                    rs.next();
                    // MariaDB answers an interrupted SLEEP with 1, not an error.
                    if (rs.getInt(1) == 1) {
                        throw new SQLException("interrupted", "70100", 1317);
                    }
                }
            });
            cancel.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the query was stopped early");
            // The server's "query execution was interrupted" (1317), which Connector/J reports as its own
            // cancellation exception when it sees that its cancel() got there first.
            assertTrue(e.getErrorCode() == 1317
                    || e instanceof com.mysql.cj.jdbc.exceptions.MySQLStatementCancelledException, e.toString());
            try (ResultSet rs = bystanderQuery.get(10, TimeUnit.SECONDS)) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "the other client's query ran to the end");
            }
            try (ResultSet rs = victim.createStatement().executeQuery("SELECT 'still here'")) {
                assertTrue(rs.next(), "KILL QUERY leaves the connection usable");
            }
        }
    }

    /**
     * Waits until the server runs {@code sql} (each client's text is its own). Which backend connection runs it is
     * not known beforehand: in transaction pool mode a client's statements may each run on another.
     */
    private static void awaitRunning(String sql) throws Exception {
        try (Connection root = TestDatabase.get().rootConnection();
             PreparedStatement s = root.prepareStatement(
                     "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = ?")) {
            s.setString(1, sql);
            Eventually.await(Duration.ofSeconds(10), () -> {
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() && rs.getLong(1) == 1;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, () -> "no backend connection runs " + sql);
        }
    }

    @Test
    void killConnectionClosesThatClientAndUnknownIdsAreRefused() throws Exception {
        try (Connection victim = berth.mariadbConnection(""); Connection killer = berth.mariadbConnection("")) {
            long victimId = ((org.mariadb.jdbc.Connection) victim).getThreadId();
            try (Statement s = killer.createStatement()) {
                s.execute("KILL " + victimId);
                SQLException unknown = assertThrows(SQLException.class, () -> s.execute("KILL 987654321"));
                assertEquals(1094, unknown.getErrorCode());
            }
            assertThrows(SQLException.class, () -> victim.createStatement().executeQuery("SELECT 1").next());
            try (ResultSet rs = killer.createStatement().executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    /**
     * Whatever the transport does with a read already under way when Berth closes a socket (io_uring completes it),
     * a killed client's next statement is never run: 100 kills in a row, each followed at once by the victim's query.
     */
    @Test
    void aKilledClientsNextStatementNeverRuns() throws Exception {
        try (Connection killer = berth.mariadbConnection(""); Statement k = killer.createStatement()) {
            for (int i = 0; i < 100; i++) {
                try (Connection victim = berth.mariadbConnection("")) {
                    k.execute("KILL " + ((org.mariadb.jdbc.Connection) victim).getThreadId());
                    int attempt = i;
                    assertThrows(SQLException.class, () -> victim.createStatement().executeQuery("SELECT 1").next(),
                            () -> "kill " + attempt + ": the killed client's statement was answered");
                }
            }
        }
    }
}
