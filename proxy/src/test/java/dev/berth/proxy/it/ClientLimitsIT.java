package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What clients may take: client connections, connections per account, failed logins per address and the memory of
 * logins in progress, each refused with the server's own error naming the flag that bounds it.
 */
class ClientLimitsIT {

    @Test
    void pastMaxClientConnsTheNextClientGetsErr1040InsteadOfAGreeting() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-client-conns", "3")) {
            List<RawMysqlClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000);
                    c.readGreeting();
                    held.add(c);
                }
                try (RawMysqlClient fourth = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
                    RawMysqlClient.Packet first = fourth.readPacket();
                    assertEquals(0, first.sequence());
                    RawMysqlClient.Err err = first.err();
                    assertEquals(1040, err.code(), err.toString());
                    assertEquals("08004", err.sqlState());
                    assertEquals("berth: too many connections: 3 clients are connected, the most --max-client-conns "
                            + "allows", err.message());
                    assertNull(fourth.readPacket(), "closed after the ERR");
                }
                held.remove(0).close();
                Eventually.await(Duration.ofSeconds(5), () -> selectOne(berth), () -> "no login after a client left");
            } finally {
                held.forEach(RawMysqlClient::close);
            }
        }
    }

    @Test
    void pastMaxConnsPerUserTheAccountsNextLoginGetsErr1040() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-conns-per-user", "2", "--user", "other:pw")) {
            try (Connection a = berth.mariadbConnection(""); Connection b = berth.mariadbConnection("")) {
                SQLException e = assertThrows(SQLException.class, () -> berth.mariadbConnection("").close());
                assertEquals(1040, e.getErrorCode(), e.toString());
                assertTrue(e.getMessage().contains("berth: too many connections for user 'app': 2 are logged in, the "
                        + "most --max-conns-per-user allows"), e.getMessage());
                try (RawMysqlClient other = RawMysqlClient.login("127.0.0.1", berth.port(), "other", "pw", null)) {
                    assertEquals("1", other.queryValue("SELECT 1"), "another account has its own count");
                }
                a.close();
                Eventually.await(Duration.ofSeconds(5), () -> selectOne(berth), () -> "no login after one left");
            }
        }
    }

    /**
     * Before: about 1,000 wrong passwords a second were answered, all at once. Now the 4th failure of a window is
     * answered after 250 ms, the 5th after 500 ms, and at --max-login-failures the address is refused until the window
     * ends, a right password included.
     */
    @Test
    void failedLoginsAreAnsweredLaterAndLaterThenTheAddressIsRefusedForTheWindow() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-login-failures", "5",
                "--login-failure-window", "3s")) {
            long windowStart = System.nanoTime();
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 10_000)) {
                    long t0 = System.nanoTime();
                    RawMysqlClient.Err err = c.tryLogin(RunningBerth.USER, "wrong", null).err();
                    millis.add((System.nanoTime() - t0) / 1_000_000);
                    assertEquals(1045, err.code(), err.toString());
                }
            }
            String times = "answered after " + millis + " ms";
            for (int i = 0; i < 3; i++) {
                assertTrue(millis.get(i) < 200, times);
            }
            assertTrue(millis.get(3) >= 250 && millis.get(3) < 450, times);
            assertTrue(millis.get(4) >= 500 && millis.get(4) < 700, times);

            int waitSeconds;
            try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
                RawMysqlClient.Err err = c.readPacket().err();
                assertEquals(1129, err.code(), err.toString());
                Matcher wait = Pattern.compile("berth: too many failed logins from 127\\.0\\.0\\.1; wait ([1-3]) s "
                        + "\\(--max-login-failures 5 per --login-failure-window 3s\\)").matcher(err.message());
                assertTrue(wait.matches(), err.message());
                waitSeconds = Integer.parseInt(wait.group(1));
            }
            SQLException e = assertThrows(SQLException.class, () -> berth.mariadbConnection("").close());
            assertEquals(1129, e.getErrorCode(), "a right password is refused too: " + e);

            Thread.sleep(waitSeconds * 1000L); // the wait the ERR named
            assertTrue(System.nanoTime() - windowStart >= Duration.ofSeconds(3).toNanos());
            assertTrue(selectOne(berth), "let in once the wait is over");
        }
    }

    /**
     * Clients that send the start of a handshake response and never finish it: past --max-handshake-memory the
     * oldest of them are refused with ERR 1040, and a new client still logs in.
     */
    @Test
    void pastMaxHandshakeMemoryTheOldestUnfinishedLoginsAreRefused() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-handshake-memory", "1M")) {
            List<Socket> stalled = new ArrayList<>();
            try {
                byte[] partial = new byte[4 + 7999];
                partial[0] = (byte) 8000;
                partial[1] = (byte) (8000 >> 8);
                partial[3] = 1;
                for (int i = 0; i < 150; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", berth.port()), 5_000);
                    s.setSoTimeout(5_000);
                    RawMysqlClient.parseGreeting(readPayload(s));
                    OutputStream out = s.getOutputStream();
                    out.write(partial);
                    out.flush();
                    stalled.add(s);
                }
                assertTrue(selectOne(berth), "a new client logs in");
                // Each holds 2 KB + 8 KB: about 100 fit in 1M, so the oldest third had to go.
                RawMysqlClient.Err err = new RawMysqlClient.Packet(0, readPayload(stalled.get(0))).err();
                assertEquals(1040, err.code(), err.toString());
                assertEquals("berth: too many clients logging in at once (--max-handshake-memory 1M held for them); "
                        + "this one had waited longest, try again", err.message());
                stalled.get(149).setSoTimeout(200);
                assertThrows(java.net.SocketTimeoutException.class, () -> stalled.get(149).getInputStream().read(),
                        "the newest are still waiting for the rest of their packet");
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    /** The payload of the next frame on {@code s}. */
    private static byte[] readPayload(Socket s) throws IOException {
        byte[] header = s.getInputStream().readNBytes(4);
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        return s.getInputStream().readNBytes(length);
    }

    private static boolean selectOne(RunningBerth berth) {
        try (Connection c = berth.mariadbConnection("");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next() && rs.getInt(1) == 1;
        } catch (SQLException e) {
            return false;
        }
    }
}
