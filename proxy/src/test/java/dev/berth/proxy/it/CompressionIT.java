package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.BerthProcess;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TcpRelay;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
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
 * Clients that ask for the compressed protocol get it: the results are right and fewer bytes cross the client's
 * socket than the data holds (before, such clients hung, their compressed frames read as plain packets), and large
 * packets stream through compressed as they do plain.
 */
class CompressionIT {
    private static final int VALUE_BYTES = 200_000;
    private static final int CLIENTS = 16;
    private static final int SIZE = 20_000_000;

    @Test
    void bothJdbcDriversWithCompression() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls");
             TcpRelay relay = new TcpRelay("127.0.0.1", berth.port()).start()) {
            for (String url : List.of(
                    "jdbc:mysql://" + relay.hostPort() + "/" + TestDatabase.DATABASE + "?useCompression=true&useSSL=false",
                    "jdbc:mariadb://" + relay.hostPort() + "/" + TestDatabase.DATABASE + "?useCompression=true")) {
                long before = relay.bytesToClients();
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                     Statement s = c.createStatement()) {
                    for (int i = 0; i < 3; i++) {
                        try (ResultSet rs = s.executeQuery("SELECT REPEAT('berth', " + VALUE_BYTES / 5 + "), "
                                + i + " + 1")) {
                            assertTrue(rs.next());
                            assertEquals(VALUE_BYTES, rs.getString(1).length(), url);
                            assertEquals(i + 1, rs.getInt(2), url);
                        }
                    }
                }
                long sent = relay.bytesToClients() - before;
                assertTrue(sent < VALUE_BYTES, url + ": " + sent + " bytes for three " + VALUE_BYTES
                        + "-byte values: not compressed");
            }
        }
    }

    /**
     * Sixteen compressing clients at once, MySQL Connector/J and MariaDB Connector/J in turn (useCompression=true), each
     * sending a 20 MB value in a query and reading a 20 MB row back, through a Berth process with the recommended JVM
     * flags (128 MB of direct memory): all get their right answers. Their compressed packets are inflated as they
     * arrive, only as fast as the backend takes them, and the rows compressed as they go, 64 KB at a time. Before,
     * Berth held each client's compressed packet whole and then all it inflated to, 16 MB at once (the values compress
     * 200-fold, so the packets arrive at once): with the sixteen, direct memory ran out and 2 to 6 of them were cut off
     * (three runs).
     */
    @Test
    void concurrentCompressingClientsSendAndReceiveTwentyMegabytes() throws Exception {
        String body = letters(SIZE);
        String bodyMd5 = md5(body);
        try (BerthProcess berth = BerthProcess.start("compression", BerthProcess.RECOMMENDED_JVM_FLAGS,
                "--max-open-conns", "" + (CLIENTS + 4), "--acquire-timeout", "30s")) {
            long rssBefore = berth.statusKb("VmRSS");
            long started = System.nanoTime();
            List<String> failures = concurrently(client -> {
                try (Connection c = client % 2 == 0 ? berth.mysqlConnection("useCompression=true")
                        : berth.mariadbConnection("useCompression=true")) {
                    sendValue(c, client, body, bodyMd5);
                    receiveRow(c, client);
                }
            });
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("CompressionIT: %d compressing clients, each a %,d-byte value up and a %,d-byte row down, "
                    + "in %,d ms; Berth RSS %,d kB before, peak %,d kB%n", CLIENTS, SIZE, SIZE, millis, rssBefore,
                    berth.statusKb("VmHWM"));
            assertTrue(berth.isAlive(), "Berth died:\n" + berth.output());
            assertEquals(List.of(), failures, "Berth's log:\n" + berth.output());
        }
    }

    /** The value in a query; the server's view of it comes back: its start, length and MD5. */
    private static void sendValue(Connection c, int client, String body, String bodyMd5) throws Exception {
        String prefix = String.format("client%02d:", client);
        try (PreparedStatement s = c.prepareStatement("SELECT LEFT(s, " + prefix.length() + "), LENGTH(s), "
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

    /** A row of one letter, which compresses a thousandfold, marked per client so that mixed-up streams show. */
    private static void receiveRow(Connection c, int client) throws Exception {
        String marker = String.format("<%02d>", client);
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CONCAT('" + marker + "', REPEAT('x', " + SIZE + "), '" + marker
                     + "')")) {
            assertTrue(rs.next());
            byte[] row = rs.getBytes(1);
            byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
            assertEquals(SIZE + 2 * m.length, row.length);
            assertEquals(-1, Arrays.mismatch(row, 0, m.length, m, 0, m.length), "marker at the start");
            for (int i = m.length; i < m.length + SIZE; i++) {
                if (row[i] != 'x') {
                    throw new AssertionError("byte " + i + " of the row is " + row[i]);
                }
            }
            assertEquals(-1, Arrays.mismatch(row, m.length + SIZE, row.length, m, 0, m.length), "marker at the end");
        }
    }

    private interface ClientTask {
        void run(int client) throws Exception;
    }

    /** Runs the task for every client, all released at once; returns the failures. */
    private static List<String> concurrently(ClientTask task) throws InterruptedException {
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < CLIENTS; i++) {
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

    /**
     * {@code n} lowercase letters, a block of 1000 pseudo-random ones over and over: nothing to escape, a shifted stream
     * shows in the MD5, and deflate makes a 16 MB packet of them 80 KB, so it arrives at once and inflates 200-fold.
     */
    private static String letters(int n) {
        Random random = new Random(15);
        byte[] block = new byte[1000];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) ('a' + random.nextInt(26));
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = block[i % block.length];
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }
}
