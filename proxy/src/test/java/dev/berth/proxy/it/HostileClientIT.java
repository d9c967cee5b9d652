package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.protocol.Capabilities;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that break the protocol, stall or lie get an ERR and a close within a bounded time, and none of it
 * touches a well-behaved client running queries on the same Berth all along.
 */
class HostileClientIT {
    private static final int MAX_PACKET = 1024 * 1024;
    private static final int FULL_FRAME = 0xFFFFFF;

    private static RunningBerth berth;
    private static Bystander bystander;

    @BeforeAll
    static void start() throws Exception {
        // No login throttle: denials here must come at once (ClientLimitsIT covers the throttle's delays).
        berth = RunningBerth.start("--no-tls", "--max-packet-size", "1M", "--handshake-timeout", "1s",
                "--max-open-conns", "4", "--acquire-timeout", "5s", "--max-login-failures", "0");
        bystander = new Bystander(berth);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bystander != null) {
            bystander.stop();
        }
        berth.close();
    }

    @BeforeEach
    void bystanderWorksBefore() throws Exception {
        bystander.assertProgresses();
    }

    @AfterEach
    void bystanderWorksAfter() throws Exception {
        bystander.assertProgresses();
    }

    @Test
    void garbageInsteadOfAHandshakeResponseGetsErrAndClose() throws Exception {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
            c.readGreeting();
            long t0 = System.nanoTime();
            c.writePacket(1, new byte[] {0x13, 0x37, (byte) 0xde, (byte) 0xad, 0x00});
            RawMysqlClient.Err err = expectErrThenClose(c, t0, 2_000);
            assertEquals(1043, err.code(), err.toString()); // ER_HANDSHAKE_ERROR
            assertEquals("08S01", err.sqlState(), err.toString());
        }
        bystander.assertProgresses();
    }

    /** Handshake responses that lie about their own lengths: each gets ER_HANDSHAKE_ERROR and a close. */
    @Test
    void malformedHandshakeResponsesGetErrAndClose() throws Exception {
        long protocol41 = Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SECURE_CONNECTION
                | Capabilities.CLIENT_PLUGIN_AUTH;
        long lenencAuth = protocol41 | (1L << 21); // CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
        long attrs = protocol41 | (1L << 20); // CLIENT_CONNECT_ATTRS
        byte[] minusOne = {(byte) 0xfe, -1, -1, -1, -1, -1, -1, -1, -1};
        byte[] huge = {(byte) 0xfe, 0, 0, 0, 0, 1, 0, 0, 0};
        java.util.Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
        cases.put("empty payload", new byte[0]);
        cases.put("no CLIENT_PROTOCOL_41", response(Capabilities.CLIENT_SECURE_CONNECTION, bytes("app\0", 0)));
        cases.put("truncated fixed part", java.util.Arrays.copyOf(response(protocol41, new byte[0]), 20));
        cases.put("user name not NUL-terminated", response(protocol41, bytes("app")));
        cases.put("auth data longer than the packet", response(protocol41, bytes("app\0", 200, 1, 2, 3, 4, 5)));
        cases.put("lenenc auth data of -1 bytes", response(lenencAuth, concat(bytes("app\0"), minusOne)));
        cases.put("lenenc auth data of 2^32 bytes", response(lenencAuth, concat(bytes("app\0"), huge)));
        cases.put("lenenc auth data starting 0xff", response(lenencAuth, bytes("app\0", 0xff)));
        cases.put("attributes of -1 bytes", response(attrs,
                concat(bytes("app\0", 0), bytes("mysql_native_password\0"), minusOne)));
        cases.put("attributes longer than the packet", response(attrs,
                concat(bytes("app\0", 0), bytes("mysql_native_password\0"), bytes(0xfc, 0x00, 0x10, 1, 'a'))));
        cases.put("attribute key of -1 bytes", response(attrs,
                concat(bytes("app\0", 0), bytes("mysql_native_password\0"), bytes(9), minusOne)));
        cases.put("attribute value missing", response(attrs,
                concat(bytes("app\0", 0), bytes("mysql_native_password\0"), bytes(2, 1, 'k'))));
        List<String> failures = new java.util.ArrayList<>();
        for (var e : cases.entrySet()) {
            try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
                c.readGreeting();
                long t0 = System.nanoTime();
                c.writePacket(1, e.getValue());
                RawMysqlClient.Err err = expectErrThenClose(c, t0, 2_000);
                if (err.code() != 1043 || !"08S01".equals(err.sqlState())) {
                    failures.add(e.getKey() + ": " + err);
                }
            } catch (AssertionError | IOException x) {
                failures.add(e.getKey() + ": " + x);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        bystander.assertProgresses();
    }

    @Test
    void unknownAndEmptyCommandsGetErrAndTheSessionGoesOn() throws Exception {
        try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                RunningBerth.PASSWORD, TestDatabase.DATABASE)) {
            for (byte[] command : List.of(new byte[] {0x7f, 1, 2}, new byte[0], new byte[] {(byte) 0xfe})) {
                c.writePacket(0, command);
                RawMysqlClient.Packet p = c.readPacket();
                assertNotNull(p, "closed after command " + java.util.Arrays.toString(command));
                assertEquals(1047, p.err().code(), p.describe()); // ER_UNKNOWN_COM_ERROR
                assertEquals(1, p.sequence());
                assertEquals("2", c.queryValue("SELECT 1 + 1"));
            }
        }
        bystander.assertProgresses();
    }

    @Test
    void aMalformedChangeUserGetsErrAndClose() throws Exception {
        try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                RunningBerth.PASSWORD, null)) {
            assertEquals("1", c.queryValue("SELECT 1"));
            long t0 = System.nanoTime();
            c.writePacket(0, bytes(0x11, 'a', 'p', 'p')); // COM_CHANGE_USER, user name never terminated
            RawMysqlClient.Err err = expectErrThenClose(c, t0, 2_000);
            assertTrue(err.code() == 1835 || err.code() == 1043, err.toString());
        }
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().inUse() == 1, // the bystander's
                () -> "pool " + berth.poolStats());
        bystander.assertProgresses();
    }

    private static byte[] response(long capabilities, byte[] rest) {
        byte[] fixed = new byte[32];
        for (int i = 0; i < 4; i++) {
            fixed[i] = (byte) (capabilities >>> (8 * i));
        }
        fixed[7] = 1; // max packet 16 MiB
        fixed[8] = 45; // utf8mb4
        return concat(fixed, rest);
    }

    /** Bytes from strings (as ASCII, "\0" for NUL) and ints (one byte each). */
    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } else if (part instanceof Character ch) {
                out.write(ch);
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void aSixteenMegabyteHandshakePacketIsRefusedFromItsHeader() throws Exception {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
            c.readGreeting();
            long t0 = System.nanoTime();
            // Announces 16 MiB - 1 and sends only a few bytes of it: Berth must not wait for the rest.
            c.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 0x0d, (byte) 0xa2, 0, 0});
            RawMysqlClient.Err err = expectErrThenClose(c, t0, 2_000);
            assertEquals(1153, err.code(), err.toString()); // ER_NET_PACKET_TOO_LARGE
            assertEquals("08S01", err.sqlState(), err.toString());
        }
        bystander.assertProgresses();
    }

    @Test
    void moreThanAGigabyteOfContinuationFramesIsCutOffAtMaxPacketSize() throws Exception {
        try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                RunningBerth.PASSWORD, null)) {
            assertEquals("1", c.queryValue("SELECT 1"));
            long t0 = System.nanoTime();
            // 65 frames of 16 MiB - 1: a COM_QUERY of more than 1 GiB, all of it announced as continuing.
            AtomicLong written = new AtomicLong();
            CompletableFuture<Throwable> writer = writeFramesInBackground(c, 65, written);
            RawMysqlClient.Err err = expectErrThenClose(c, t0, 5_000);
            assertEquals(1153, err.code(), err.toString());
            assertEquals("08S01", err.sqlState(), err.toString());
            assertTrue(err.message().contains("--max-packet-size"), err.toString());
            assertTrue(err.message().contains("" + MAX_PACKET), err.toString());
            Throwable writeFailure = writer.get(10, TimeUnit.SECONDS);
            assertNotNull(writeFailure, "Berth took all " + written.get() + " bytes");
            assertTrue(written.get() < 256L * 1024 * 1024, "Berth took " + written.get() + " bytes before closing");
        }
        bystander.assertProgresses();
    }

    @Test
    void continuationFramesCountTowardsTheLimitAndTheHalfSentBackendIsClosed() throws Exception {
        // A limit above one frame: the first 16 MiB frame is forwarded to a backend, the second one's header
        // takes the packet over the limit. The backend holding half a command must be closed, not pooled.
        try (RunningBerth big = RunningBerth.start("--no-tls", "--max-packet-size", "20M", "--max-open-conns", "1");
             RawMysqlClient c = RawMysqlClient.login("127.0.0.1", big.port(), RunningBerth.USER,
                     RunningBerth.PASSWORD, null)) {
            assertEquals("1", c.queryValue("SELECT 1"));
            long t0 = System.nanoTime();
            AtomicLong written = new AtomicLong();
            // 128 MB: more than the 64 MB Berth still reads and drops after its ERR (so a client can read it).
            CompletableFuture<Throwable> writer = writeFramesInBackground(c, 8, written);
            RawMysqlClient.Err err = expectErrThenClose(c, t0, 5_000);
            assertEquals(1153, err.code(), err.toString());
            assertTrue(err.message().contains("--max-packet-size"), err.toString());
            assertNotNull(writer.get(10, TimeUnit.SECONDS), "Berth took all " + written.get() + " bytes");
            Eventually.await(Duration.ofSeconds(5),
                    () -> big.poolStats().closedByReason().getOrDefault("client-left-mid-command", 0L) == 1
                            && big.poolStats().inUse() == 0,
                    () -> "pool " + big.poolStats());
            try (Connection next = big.mysqlConnection("");
                 PreparedStatement s = next.prepareStatement("SELECT LENGTH(?)")) {
                s.setString(1, "x".repeat(1000));
                try (ResultSet rs = s.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(1000, rs.getInt(1));
                }
            }
        }
        bystander.assertProgresses();
    }

    @Test
    void aClientThatSaysNothingIsDisconnectedAtTheHandshakeTimeout() throws Exception {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
            long t0 = System.nanoTime();
            c.readGreeting();
            RawMysqlClient.Err err = expectErrThenClose(c, t0, 3_000);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis >= 800, "closed after " + millis + " ms, before the 1s handshake timeout");
            assertEquals(1159, err.code(), err.toString()); // ER_NET_READ_INTERRUPTED
            assertEquals("08S01", err.sqlState(), err.toString());
            assertTrue(err.message().contains("--handshake-timeout"), err.toString());
        }
        bystander.assertProgresses();
    }

    @Test
    void aClientThatStallsInsideItsHandshakeResponseIsDisconnectedAtTheHandshakeTimeout() throws Exception {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
            long t0 = System.nanoTime();
            c.readGreeting();
            c.writeRaw(new byte[] {(byte) 0xc8, 0x00}); // two bytes of a header, then silence
            RawMysqlClient.Err err = expectErrThenClose(c, t0, 3_000);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis >= 800, "closed after " + millis + " ms, before the 1s handshake timeout");
            assertEquals(1159, err.code(), err.toString());
        }
        bystander.assertProgresses();
    }

    @Test
    void aWrongPasswordOrUnknownUserGets1045AndOpensNoBackendConnection() throws Exception {
        long connects = berth.poolStats().connects();
        int inUse = berth.poolStats().inUse();

        for (String[] credentials : List.of(new String[] {RunningBerth.USER, "not-the-password"},
                new String[] {"nobody-" + System.nanoTime(), RunningBerth.PASSWORD},
                new String[] {RunningBerth.USER, ""})) {
            String user = credentials[0];
            String password = credentials[1];
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(berth.mysqlUrl(""), user, password).close());
            assertEquals(1045, e.getErrorCode(), e.toString());
            assertEquals("28000", e.getSQLState(), e.toString());
            assertTrue(e.getMessage().contains("Access denied for user '" + user + "'"), e.getMessage());

            SQLException m = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(berth.mariadbUrl(""), user, password).close());
            assertEquals(1045, m.getErrorCode(), m.toString());
            assertEquals("28000", m.getSQLState(), m.toString());

            try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
                long t0 = System.nanoTime();
                RawMysqlClient.Packet answer = c.tryLogin(user, password, TestDatabase.DATABASE);
                assertTrue(answer.isErr(), answer.describe());
                assertEquals(1045, answer.err().code(), answer.describe());
                assertEquals("28000", answer.err().sqlState(), answer.describe());
                assertTrue(c.readUntilClosed().isEmpty());
                assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000);
            }
        }
        assertEquals(connects, berth.poolStats().connects(), "a failed login opened a backend connection: "
                + berth.poolStats());
        assertEquals(inUse, berth.poolStats().inUse(), berth.poolStats().toString());
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Reads one packet, which must be an ERR, then end of stream, all within {@code maxMillis} of {@code t0}. */
    private static RawMysqlClient.Err expectErrThenClose(RawMysqlClient c, long t0, long maxMillis)
            throws IOException {
        c.setReadTimeout((int) maxMillis + 1_000);
        RawMysqlClient.Packet p = c.readPacket();
        assertNotNull(p, "closed without an ERR");
        assertTrue(p.isErr(), "expected an ERR, got " + p.describe());
        List<RawMysqlClient.Packet> after = c.readUntilClosed();
        assertTrue(after.isEmpty(), "packets after the ERR: " + after.size());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis <= maxMillis, "ERR and close took " + millis + " ms");
        return p.err();
    }

    /** Writes {@code count} full-size frames of a COM_QUERY, each announcing a continuation. */
    /** Writes {@code frames} full-size frames on another thread; completes with the write failure, or null. */
    private static CompletableFuture<Throwable> writeFramesInBackground(RawMysqlClient c, int frames,
                                                                       AtomicLong written) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                writeFrames(c.socket().getOutputStream(), frames, written);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
    }

    private static void writeFrames(OutputStream out, int count, AtomicLong written) throws IOException {
        byte[] chunk = new byte[1024 * 1024];
        for (int frame = 0; frame < count; frame++) {
            out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) frame});
            written.addAndGet(4);
            int left = FULL_FRAME;
            boolean first = frame == 0;
            while (left > 0) {
                int n = Math.min(left, chunk.length);
                if (first) {
                    byte[] start = ("\u0003SELECT '").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    byte[] b = chunk.clone();
                    java.util.Arrays.fill(b, (byte) 'a');
                    System.arraycopy(start, 0, b, 0, start.length);
                    out.write(b, 0, n);
                    java.util.Arrays.fill(chunk, (byte) 'a');
                    first = false;
                } else {
                    out.write(chunk, 0, n);
                }
                written.addAndGet(n);
                left -= n;
            }
        }
        out.flush();
    }

    /** A well-behaved client running queries on the shared Berth for the whole class. */
    private static final class Bystander {
        private final Connection connection;
        private final Thread thread;
        private final AtomicLong answered = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean running = true;

        Bystander(RunningBerth berth) throws SQLException {
            connection = berth.mysqlConnection("");
            thread = new Thread(this::run, "bystander");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try (PreparedStatement s = connection.prepareStatement("SELECT ?, CONNECTION_ID()")) {
                long backend = -1;
                for (long i = 0; running; i++) {
                    s.setLong(1, i);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next() || rs.getLong(1) != i) {
                            throw new AssertionError("wrong answer to query " + i);
                        }
                        if (backend != -1 && rs.getLong(2) != backend) {
                            throw new AssertionError("backend changed from " + backend + " to " + rs.getLong(2));
                        }
                        backend = rs.getLong(2);
                    }
                    answered.incrementAndGet();
                    // Pacing, not a wait for anything: a steady trickle of queries, short of a busy loop that would
                    // take a core of this 2-core machine from the hostile clients and Berth.
                    Thread.sleep(2);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        void assertProgresses() throws InterruptedException {
            long before = answered.get();
            Eventually.await(Duration.ofSeconds(3), () -> failure.get() != null || answered.get() >= before + 5,
                    () -> "bystander stuck at " + answered.get() + " answers");
            assertNull(failure.get(), () -> "bystander failed: " + failure.get());
        }

        void stop() throws Exception {
            running = false;
            thread.join(5_000);
            connection.close();
            assertNull(failure.get(), () -> "bystander failed: " + failure.get());
        }
    }
}
