package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TcpRelay;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * When the backend can't be reached, clients are told so at once, with an ERR that names the backend and the cause;
 * nothing hangs, and Berth recovers when the backend comes back.
 */
class BackendUnavailableIT {

    @Test
    void aClosedBackendPortGivesAClearErrQuickly() throws Exception {
        int closedPort = unusedPort();
        String backend = "127.0.0.1:" + closedPort;
        try (RunningBerth berth = RunningBerth.startWithBackend(backend, "--no-tls")) {
            for (int attempt = 0; attempt < 2; attempt++) {
                // Nothing is known of the backend yet, so there is no greeting to give: the first packet is the ERR.
                try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
                    long t0 = System.nanoTime();
                    RawMysqlClient.Packet p = c.readPacket();
                    assertNotNull(p, "closed without an ERR");
                    RawMysqlClient.Err err = p.err();
                    assertUnavailable(err.code(), err.sqlState(), err.message(), backend, "refused");
                    assertTrue(c.readUntilClosed().isEmpty());
                    assertFast(t0, 3_000);
                }
            }

            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> berth.mysqlConnection("").close());
            assertFast(t0, 3_000);
            assertUnavailable(e.getErrorCode(), e.getSQLState(), e.getMessage(), backend, "refused");

            t0 = System.nanoTime();
            SQLException m = assertThrows(SQLException.class, () -> berth.mariadbConnection("").close());
            assertFast(t0, 3_000);
            assertUnavailable(m.getErrorCode(), m.getSQLState(), m.getMessage(), backend, "refused");

            assertEquals(0, berth.poolStats().openConnections(), berth.poolStats().toString());
            assertEquals(0, berth.poolStats().inUse(), berth.poolStats().toString());
            // Four clients were refused, but failed connects back off: Berth tried the backend fewer times than that.
            long failures = berth.poolStats().connectFailures();
            assertTrue(failures >= 1 && failures < 4, berth.poolStats().toString());
        }
    }

    @Test
    void aBackendThatAcceptsButNeverGreetsTimesOutWithAClearErr() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // and say nothing
                    }
                } catch (IOException ignored) {
                    // closed
                }
            }, "silent-backend");
            acceptor.setDaemon(true);
            acceptor.start();
            String backend = "127.0.0.1:" + silent.getLocalPort();
            try (RunningBerth berth = RunningBerth.startWithBackend(backend, "--no-tls",
                    "--backend-connect-timeout", "1s");
                 RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
                long t0 = System.nanoTime();
                RawMysqlClient.Packet p = c.readPacket();
                assertNotNull(p, "closed without an ERR");
                RawMysqlClient.Err err = p.err();
                assertUnavailable(err.code(), err.sqlState(), err.message(), backend, "1000 ms");
                assertTrue(c.readUntilClosed().isEmpty());
                assertFast(t0, 3_000);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aBackendThatGoesAwayIsReportedAndBerthRecoversWhenItReturns() throws Exception {
        TestDatabase db = TestDatabase.get();
        try (TcpRelay relay = new TcpRelay(db.host(), db.port()).start();
             RunningBerth berth = RunningBerth.startWithBackend(relay.hostPort(), "--no-tls")) {
            String backend = relay.hostPort();
            RawMysqlClient before = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                    RunningBerth.PASSWORD, TestDatabase.DATABASE);
            try {
                assertEquals("1", before.queryValue("SELECT 1"));
                // No login may be in flight when the server goes (Berth's start-up connection, unless the client took
                // it), or it is cut mid-login and its failure, not "refused", is what the next client hears during
                // the back-off.
                Eventually.await(Duration.ofSeconds(5), () -> {
                    var stats = berth.poolStats();
                    return stats.openConnections() == stats.inUse() + stats.idle();
                }, () -> berth.poolStats().toString());

                relay.stop(); // the server goes away: listener and every connection

                // The client whose backend connection was cut is disconnected at once, as a direct client's socket
                // would be, so that its driver reconnects; it need not send anything to find out.
                long t0 = System.nanoTime();
                assertTrue(before.readUntilClosed().isEmpty(), "closed without a packet");
                assertFast(t0, 3_000);
            } finally {
                before.close();
            }

            // A new client with an initial schema: the login itself needs the backend.
            try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
                long t0 = System.nanoTime();
                RawMysqlClient.Packet answer = c.tryLogin(RunningBerth.USER, RunningBerth.PASSWORD,
                        TestDatabase.DATABASE);
                RawMysqlClient.Err err = answer.err();
                assertUnavailable(err.code(), err.sqlState(), err.message(), backend, "refused");
                assertTrue(c.readUntilClosed().isEmpty());
                assertFast(t0, 3_000);
            }
            // Without one: the login is Berth's alone; the first query finds the backend down.
            try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                    RunningBerth.PASSWORD, null)) {
                long t0 = System.nanoTime();
                RawMysqlClient.Result r = c.query("SELECT 3");
                assertNotNull(r.err(), "expected an ERR, got " + r.rows());
                assertUnavailable(r.err().code(), r.err().sqlState(), r.err().message(), backend, "refused");
                assertFast(t0, 3_000);
            }
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> berth.mysqlConnection("").close());
            assertFast(t0, 3_000);
            assertUnavailable(e.getErrorCode(), e.getSQLState(), e.getMessage(), backend, "refused");

            relay.start(); // the server is back, on the same port
            // Berth tries again when its back-off (100 ms doubling to at most 5 s) is over.
            Eventually.await(Duration.ofSeconds(7), () -> {
                try (Connection c = berth.mysqlConnection(""); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 4")) {
                    return rs.next() && rs.getInt(1) == 4;
                } catch (SQLException notYet) {
                    return false;
                }
            }, () -> berth.poolStats().toString());
        }
    }

    @Test
    void aPingThroughBerthSaysWhetherTheBackendAnswers() throws Exception {
        TestDatabase db = TestDatabase.get();
        try (TcpRelay relay = new TcpRelay(db.host(), db.port()).start();
             RunningBerth berth = RunningBerth.startWithBackend(relay.hostPort(), "--no-tls");
             RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                     RunningBerth.PASSWORD, null)) {
            Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().idle() >= 1,
                    () -> berth.poolStats().toString());
            RawMysqlClient.Packet up = ping(c);
            assertTrue(up.isOk(), up.describe());
            assertEquals(1, up.sequence(), up.describe());
            // The ping borrowed a pooled connection and gave it back: the client holds none.
            Eventually.await(Duration.ofSeconds(2), () -> berth.poolStats().inUse() == 0,
                    () -> berth.poolStats().toString());

            relay.stop();
            long t0 = System.nanoTime();
            RawMysqlClient.Packet down = ping(c);
            assertFast(t0, 3_000);
            assertTrue(down.isErr(), "a ping with the backend down was answered " + down.describe());
            assertUnavailable(down.err().code(), down.err().sqlState(), down.err().message(), relay.hostPort(),
                    "refused");
            assertTrue(ping(c).isErr(), "the session goes on after the ERR, and the backend is still down");

            relay.start();
            Eventually.await(Duration.ofSeconds(7), () -> {
                try {
                    return ping(c).isOk();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, () -> berth.poolStats().toString());
        }
    }

    private static RawMysqlClient.Packet ping(RawMysqlClient c) throws IOException {
        c.command(0x0e, new byte[0]); // COM_PING
        return c.read(1).get(0);
    }

    private static void assertUnavailable(int code, String sqlState, String message, String backend, String cause) {
        assertEquals(1105, code, message);
        assertEquals("HY000", sqlState, message);
        assertTrue(message.contains(backend), "message should name " + backend + ": " + message);
        assertTrue(message.toLowerCase(Locale.ROOT).contains(cause.toLowerCase(Locale.ROOT)),
                "message should give the cause (" + cause + "): " + message);
        assertTrue(message.contains("--backend"), message);
    }

    private static void assertFast(long t0, long maxMillis) {
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis <= maxMillis, "took " + millis + " ms");
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
