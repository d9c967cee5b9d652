package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.BerthProcess;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.LoginProbe;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Large packets stream through Berth instead of being held whole: 24 clients sending a 20 MB query each at once, then
 * 24 clients receiving a 20 MB row each at once, through a Berth process with the benchmark JVM's limits (128 MB of
 * direct memory), all get their right answers; meanwhile and right after, another client logs in and runs SELECT 1
 * within a second every time (from a process of its own, see {@link LoginProbe}; on a machine so loaded that the same
 * client straight to the server takes longer than half a second, within twice that).
 *
 * <p>Before large packets were streamed, about half the clients were cut off (direct memory exhausted, some connections
 * reset with no ERR) and the other client's login took up to 6 s.
 */
class LargePacketStreamIT {
    private static final int CLIENTS = 24;
    private static final int SIZE = 20_000_000;
    private static final long PROBE_LIMIT_MILLIS = 1000;
    private static final byte[] X = "x".repeat(SIZE).getBytes(StandardCharsets.US_ASCII);

    @Test
    void twentyFourClientsSendAndReceiveTwentyMegabytesAtOnce() throws Exception {
        String body = letters(SIZE);
        String bodyMd5 = md5(body);
        TestDatabase db = TestDatabase.get();
        try (BerthProcess berth = BerthProcess.start("stream", BerthProcess.RECOMMENDED_JVM_FLAGS,
                "--max-open-conns", "" + (CLIENTS + 8), "--acquire-timeout",
                "30s")) {
            warmUp(berth);
            long rssBefore = berth.statusKb("VmRSS");
            List<String> failures = new ArrayList<>();
            long slowest;
            long controlSlowest;
            List<String> probeFailures;
            try (LoginProbe probe = LoginProbe.start(berth.mariadbUrl(""), RunningBerth.USER, RunningBerth.PASSWORD);
                 LoginProbe control = LoginProbe.start(db.jdbcUrl(TestDatabase.DATABASE), db.rootUser(),
                         db.rootPassword())) {
                long started = System.nanoTime();
                failures.addAll(concurrently(client -> sendQuery(berth, client, body, bodyMd5)));
                long queriesMillis = (System.nanoTime() - started) / 1_000_000;
                failures.addAll(concurrently(client -> receiveRow(berth, client)));
                long rowsMillis = (System.nanoTime() - started) / 1_000_000 - queriesMillis;
                // Right after: a few more logins, each within the limit too.
                long during = probe.count();
                Eventually.await(Duration.ofSeconds(10), () -> probe.count() >= during + 3, () -> "3 more logins");
                slowest = probe.slowestMillis();
                controlSlowest = control.slowestMillis();
                probeFailures = probe.failures();
                System.out.printf("LargePacketStreamIT: %d x %d-byte queries in %,d ms, %d x %d-byte rows in %,d ms; "
                                + "another client's login + SELECT 1: %d times, slowest %d ms (straight to the server "
                                + "meanwhile: slowest %d ms); Berth RSS %,d kB before, %,d kB after, peak %,d kB%n",
                        CLIENTS, SIZE, queriesMillis, CLIENTS, SIZE, rowsMillis, probe.count(), slowest,
                        controlSlowest, rssBefore, berth.statusKb("VmRSS"), berth.statusKb("VmHWM"));
            }
            assertTrue(berth.isAlive(), "Berth died:\n" + berth.output());
            assertEquals(List.of(), failures, "Berth's log:\n" + berth.output());
            assertEquals(List.of(), probeFailures);
            // On a machine so loaded that the server itself answers slowly, Berth (a hop more) gets twice that.
            long limit = Math.max(PROBE_LIMIT_MILLIS, 2 * controlSlowest);
            assertTrue(slowest < limit, "another client's slowest login + SELECT 1 took " + slowest + " ms (limit "
                    + limit + " ms; straight to the server: " + controlSlowest + " ms)");
        }
    }

    /**
     * What Berth must read whole is refused past 64 KB, never forwarded unread: a KILL behind 100 KB of comment (it
     * would run untranslated on the server, its id naming some backend thread) gets an ERR, and the session goes on.
     * A 300 KB row reaches a client without CLIENT_DEPRECATE_EOF with its sequence ids moved behind the inserted EOF;
     * large packets pass compressed too.
     */
    @Test
    void killBehind100KbOfCommentIsRefusedAndOtherLargePacketsPass() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls");
             RawMysqlClient client = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                     RunningBerth.PASSWORD, TestDatabase.DATABASE)) {
            RawMysqlClient.Result killed = client.query("/*" + " ".repeat(100_000) + "*/ KILL QUERY 1");
            assertEquals(1148, killed.err().code(), killed.toString());
            assertEquals("1", client.queryValue("SELECT 1"));
            List<List<String>> rows = client.query("SELECT REPEAT('y', 300000), 'after'").rowsOrThrow();
            assertEquals(300_000, rows.get(0).get(0).length());
            assertEquals("after", rows.get(0).get(1));
            assertEquals("200000", client.queryValue("SELECT LENGTH('" + "z".repeat(200_000) + "')"));
            // Compressed: the large query and row stream through the (de)compressing handlers too.
            try (Connection c = berth.mysqlConnection("useCompression=true");
                 PreparedStatement p = c.prepareStatement("SELECT LENGTH(?), REPEAT('w', 300000)")) {
                p.setString(1, "v".repeat(300_000));
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(300_000, rs.getInt(1));
                    assertEquals("w".repeat(300_000), rs.getString(2));
                }
            }
        }
    }

    /**
     * Opens as many backend connections as the test will use, so that the probe's logins measure how Berth serves a
     * client while large packets pass, not how long the pool takes to log in 25 new backend connections.
     */
    private static void warmUp(BerthProcess berth) throws Exception {
        CountDownLatch allIn = new CountDownLatch(CLIENTS + 1);
        List<String> failures = concurrently(CLIENTS + 1, client -> {
            try (Connection c = connect(berth, client); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
                allIn.countDown();
                assertTrue(allIn.await(30, TimeUnit.SECONDS));
            }
        });
        assertEquals(List.of(), failures, "warm-up");
    }

    /**
     * A 20 MB query (two wire frames). MariaDB Connector/J prepares on the client, so it sends a COM_QUERY with the
     * string in it; MySQL Connector/J is told to prepare on the server and sends it in a COM_STMT_EXECUTE.
     */
    private static void sendQuery(BerthProcess berth, int client, String body, String bodyMd5) throws Exception {
        String prefix = String.format("client%02d:", client);
        try (Connection c = client % 2 == 0 ? berth.mariadbConnection("")
                : berth.mysqlConnection("useServerPrepStmts=true");
             PreparedStatement s = c.prepareStatement("SELECT LEFT(s, " + prefix.length() + "), LENGTH(s), "
                     + "MD5(SUBSTRING(s, " + (prefix.length() + 1) + ")) FROM (SELECT CONCAT(?, ?) AS s) t")) {
            s.setString(1, prefix);
            s.setString(2, body);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(prefix, rs.getString(1), "start seen by the server");
                assertEquals(prefix.length() + SIZE, rs.getLong(2), "length seen by the server");
                assertEquals(bodyMd5, rs.getString(3), "MD5 seen by the server");
            }
        }
    }

    /** A 20 MB row (two wire frames), marked per client so that streams mixed up between clients would show. */
    private static void receiveRow(BerthProcess berth, int client) throws Exception {
        String marker = String.format("<%02d>", client);
        try (Connection c = connect(berth, client); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CONCAT('" + marker + "', REPEAT('x', " + SIZE + "), '" + marker
                     + "')")) {
            assertTrue(rs.next());
            byte[] row = rs.getBytes(1);
            byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
            assertEquals(SIZE + 2 * m.length, row.length);
            assertEquals(-1, Arrays.mismatch(row, 0, m.length, m, 0, m.length), "marker at the start");
            assertEquals(-1, Arrays.mismatch(row, m.length, m.length + SIZE, X, 0, SIZE), "the x's");
            assertEquals(-1, Arrays.mismatch(row, m.length + SIZE, row.length, m, 0, m.length), "marker at the end");
        }
    }

    private static Connection connect(BerthProcess berth, int client) throws SQLException {
        return client % 2 == 0 ? berth.mariadbConnection("") : berth.mysqlConnection("");
    }

    private interface ClientTask {
        void run(int client) throws Exception;
    }

    /** Runs one task per client, all released at once; returns the failures. */
    private static List<String> concurrently(ClientTask task) throws InterruptedException {
        return concurrently(CLIENTS, task);
    }

    private static List<String> concurrently(int clients, ClientTask task) throws InterruptedException {
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < clients; i++) {
            int client = i;
            threads.submit(() -> {
                go.await();
                try {
                    task.run(client);
                } catch (Exception | AssertionError e) {
                    failures.add("client " + client + ": " + e);
                }
                return null;
            });
        }
        go.countDown();
        threads.shutdown();
        if (!threads.awaitTermination(100, TimeUnit.SECONDS)) {
            threads.shutdownNow();
            failures.add("clients still running after 100 s");
        }
        return List.copyOf(failures);
    }

    /** {@code n} pseudo-random lowercase letters: nothing to escape, yet a shifted or mixed stream shows in the MD5. */
    private static String letters(int n) {
        Random random = new Random(15);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + random.nextInt(26));
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }
}
