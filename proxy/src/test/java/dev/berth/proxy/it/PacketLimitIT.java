package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A packet past a limit is answered with ERR 1153 that names the limit, and the client reads it: Berth's own
 * {@code --max-packet-size}, and the server's {@code max_allowed_packet}. Drivers write the whole packet before they
 * read, so the connection must not be cut under them while they still write (they would report only that).
 */
class PacketLimitIT {
    private static final int FULL_FRAME = 0xFFFFFF;

    @Test
    void driversSendingPastMaxPacketSizeReadTheErr() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-packet-size", "1M")) {
            String query = "SELECT LENGTH('" + "a".repeat(10_000_000) + "')";
            for (String url : List.of(berth.mysqlUrl("maxAllowedPacket=67108864"),
                    berth.mariadbUrl("maxAllowedPacket=67108864"))) {
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                     Statement s = c.createStatement()) {
                    assertEquals(1, value(s, "SELECT 1"));
                    long t0 = System.nanoTime();
                    SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(query).close(), url);
                    long millis = (System.nanoTime() - t0) / 1_000_000;
                    assertEquals(1153, e.getErrorCode(), url + ": " + e);
                    assertEquals("08S01", e.getSQLState(), url + ": " + e);
                    assertTrue(e.getMessage().contains("1048576") && e.getMessage().contains("--max-packet-size"),
                            e.getMessage());
                    assertTrue(millis < 3_000, url + " took " + millis + " ms");
                }
            }
            try (Connection c = berth.mariadbConnection(""); Statement s = c.createStatement()) {
                assertEquals(1, value(s, "SELECT 1"), "Berth serves the next client");
            }
        }
    }

    @Test
    void theMariadbCommandLineClientShowsTheErr() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/mariadb")), "no mariadb client here");
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-packet-size", "1M")) {
            Path sql = Files.createTempFile("berth-big-query", ".sql");
            Path errors = Files.createTempFile("berth-big-query", ".err");
            try {
                Files.writeString(sql, "SELECT LENGTH('" + "a".repeat(10_000_000) + "');\n");
                Process cli = new ProcessBuilder("mariadb", "--protocol=tcp", "-h127.0.0.1", "-P" + berth.port(),
                        "-u" + RunningBerth.USER, "-p" + RunningBerth.PASSWORD, "--skip-ssl", "--batch",
                        "--max-allowed-packet=64M", TestDatabase.DATABASE)
                        .redirectInput(sql.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(errors.toFile()).start();
                if (!cli.waitFor(20, TimeUnit.SECONDS)) {
                    cli.destroyForcibly();
                    throw new AssertionError("mariadb did not finish");
                }
                // The client repeats the statement it failed on: only the end of the message is of interest.
                String output = Files.readString(errors);
                String tail = output.substring(Math.max(0, output.length() - 300));
                assertTrue(tail.contains("ERROR 1153") && tail.contains("--max-packet-size"), tail);
            } finally {
                Files.delete(sql);
                Files.delete(errors);
            }
        }
    }

    /**
     * The test server's max_allowed_packet is 64 MiB (see TestDatabase): a query one frame bigger is refused by the
     * server itself, which sends ERR 1153 and closes while the rest of the packet is still coming.
     */
    @Test
    void theServersMaxAllowedPacketErrReachesTheClient() throws Exception {
        long serverLimit;
        try (Connection root = TestDatabase.get().rootConnection(); Statement s = root.createStatement()) {
            serverLimit = value(s, "SELECT @@global.max_allowed_packet");
        }
        Assumptions.assumeTrue(serverLimit <= 128L << 20, "max_allowed_packet " + serverLimit + " is too big to pass");
        int frames = (int) (serverLimit / FULL_FRAME) + 2;
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-packet-size", "1G");
             RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                     RunningBerth.PASSWORD, null)) {
            assertEquals("1", c.queryValue("SELECT 1"));
            CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    writeQueryFrames(c.socket().getOutputStream(), frames);
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            c.setReadTimeout(30_000);
            RawMysqlClient.Packet p = c.readPacket();
            assertNotNull(p, "closed without an ERR");
            assertTrue(p.isErr(), p.describe());
            assertEquals(1153, p.err().code(), p.describe());
            assertTrue(p.err().message().contains("max_allowed_packet"), p.describe());
            assertTrue(c.readUntilClosed().isEmpty(), "nothing after the ERR");
            writer.get(30, TimeUnit.SECONDS);

            try (Connection jdbc = berth.mariadbConnection("maxAllowedPacket=" + (serverLimit * 2));
                 Statement s = jdbc.createStatement()) {
                String query = "SELECT LENGTH('" + "a".repeat((int) serverLimit) + "')";
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(query).close());
                assertEquals(1153, e.getErrorCode(), e.toString());
                assertTrue(e.getMessage().contains("max_allowed_packet"), e.getMessage());
            }
        }
    }

    /** A COM_QUERY of {@code count} full frames and a short last one. */
    private static void writeQueryFrames(OutputStream out, int count) throws IOException {
        byte[] chunk = new byte[1024 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        for (int frame = 0; frame <= count; frame++) {
            int length = frame < count ? FULL_FRAME : 1;
            out.write(new byte[] {(byte) length, (byte) (length >> 8), (byte) (length >> 16), (byte) frame});
            int left = length;
            boolean first = frame == 0;
            while (left > 0) {
                int n = Math.min(left, chunk.length);
                if (first) {
                    byte[] start = chunk.clone();
                    byte[] text = "\u0003SELECT '".getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(text, 0, start, 0, text.length);
                    out.write(start, 0, n);
                    first = false;
                } else {
                    out.write(chunk, 0, n);
                }
                left -= n;
            }
        }
        out.flush();
    }

    private static long value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }
}
