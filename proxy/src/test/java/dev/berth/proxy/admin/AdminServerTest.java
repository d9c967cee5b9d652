package dev.berth.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.HostPort;
import dev.berth.config.TransportKind;
import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.message.HandshakeResponse41;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.server.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin console on a loopback socket, with both JDBC drivers, the mariadb CLI and raw bytes; no MySQL server. */
class AdminServerTest {
    private static final String PASSWORD = "s3cret";
    private static final String UNKNOWN = "berth admin console: unknown statement; known: SHOW X, PAUSE";

    /** The commands side as the tests see it: driver chatter first, then SHOW X, PAUSE, and a Failure for the rest. */
    private static final AdminCommands FAKE = new AdminCommands() {
        private final DriverChatter chatter = new DriverChatter();

        @Override
        public CompletableFuture<AdminResult> execute(String statement) {
            return CompletableFuture.completedFuture(chatter.answer(statement).orElseGet(() -> switch (statement) {
                case "SHOW X" -> new AdminResult.Rows(List.of("name", "value"),
                        List.of(List.of("a", "1"), Arrays.asList("b", null)));
                case "PAUSE" -> new AdminResult.Done("paused; 2 transactions still running");
                default -> new AdminResult.Failure(1064, "42000", UNKNOWN);
            }));
        }
    };

    private static EventLoopGroup loops;
    private static AdminServer server;
    private static int port;

    @BeforeAll
    static void start() throws InterruptedException {
        Transport transport = Transport.of(TransportKind.AUTO);
        loops = transport.newEventLoopGroup(1);
        server = AdminServer.start(new HostPort("127.0.0.1", 0), UserCredential.parse("admin:" + PASSWORD), FAKE,
                loops, transport);
        port = server.boundAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static String url(String driver) {
        return "jdbc:" + driver + "://127.0.0.1:" + port + "/";
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void driversLogInAndReadTheRows(String driver) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(driver), "admin", PASSWORD);
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW X;")) {
                assertEquals("name", rs.getMetaData().getColumnLabel(1));
                assertEquals("value", rs.getMetaData().getColumnLabel(2));
                List<List<String>> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(Arrays.asList(rs.getString(1), rs.getString(2)));
                }
                assertEquals(List.of(List.of("a", "1"), Arrays.asList("b", null)), rows);
            }
            assertFalse(s.execute("PAUSE"));
            assertEquals(0, s.getUpdateCount());
            SQLException unknown = assertThrows(SQLException.class, () -> s.executeQuery("SHOW Y"));
            assertEquals(1064, unknown.getErrorCode());
            assertEquals("42000", unknown.getSQLState());
            assertTrue(unknown.getMessage().contains(UNKNOWN), unknown.getMessage());
            assertTrue(c.isValid(2)); // COM_PING (MariaDB) or a query (Connector/J)
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void aWrongPasswordIsDenied(String driver) {
        SQLException denied = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url(driver), "admin", "wrong").close());
        assertEquals(1045, denied.getErrorCode(), denied.getMessage());
        assertTrue(denied.getMessage().contains("Access denied for user 'admin'@'127.0.0.1' (using password: YES)"),
                denied.getMessage());
    }

    @Test
    void anotherUserIsDenied() throws IOException {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", port, 5_000)) {
            RawMysqlClient.Err err = c.tryLogin("root", PASSWORD, null).err();
            assertEquals(1045, err.code());
            assertEquals("28000", err.sqlState());
            assertEquals(List.of(), c.readUntilClosed());
        }
    }

    @Test
    void mariadbCliPrintsTheRows() throws Exception {
        assertEquals(new Cli(0, "name\tvalue\na\t1\nb\tNULL\n", ""), mariadb("SHOW X"));
        assertEquals(0, mariadb("PAUSE").exitCode());
        Cli unknown = mariadb("frobnicate");
        assertEquals(1, unknown.exitCode());
        // In batch mode the CLI echoes the failed statement between dashes first.
        assertTrue(unknown.stderr().endsWith("ERROR 1064 (42000) at line 1: " + UNKNOWN + "\n"), unknown.stderr());
    }

    private record Cli(int exitCode, String stdout, String stderr) {
    }

    private static Cli mariadb(String statement) throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/mariadb").canExecute(), "the mariadb CLI is not installed");
        Process p = new ProcessBuilder("/usr/bin/mariadb", "--no-defaults", "-h127.0.0.1", "-P" + port, "-uadmin",
                "-p" + PASSWORD, "-B", "-e", statement).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "mariadb did not exit");
        return new Cli(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void pingInitDbAndOtherCommands() throws IOException {
        try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", port, "admin", PASSWORD, "anything")) {
            c.command(Command.COM_PING, new byte[0]);
            assertTrue(c.readPacket().isOk());
            c.command(Command.COM_INIT_DB, "x".getBytes(StandardCharsets.US_ASCII));
            assertTrue(c.readPacket().isOk());
            c.command(Command.COM_STMT_PREPARE, "SHOW X".getBytes(StandardCharsets.US_ASCII));
            RawMysqlClient.Packet refused = c.readPacket();
            assertEquals(1, refused.sequence());
            assertEquals(new RawMysqlClient.Err(1047, "08S01",
                    "berth admin console: only text statements (COM_QUERY) are supported"), refused.err());
            assertEquals(List.of(List.of("a", "1"), Arrays.asList("b", null)), c.query("  SHOW X ; ").rowsOrThrow());
            c.command(Command.COM_QUIT, new byte[0]);
            assertEquals(List.of(), c.readUntilClosed());
        }
    }

    /** MySQL 8's clients answer the greeting with caching_sha2_password: they are switched to native. */
    @Test
    void aCachingSha2ResponseIsSwitchedToNativePassword() throws IOException {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", port, 5_000)) {
            c.readGreeting();
            long caps = Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SECURE_CONNECTION
                    | Capabilities.CLIENT_PLUGIN_AUTH | Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;
            ByteBuf response = Unpooled.buffer();
            new HandshakeResponse41(caps, 1 << 24, 45, "admin", new byte[32], null, "caching_sha2_password", Map.of())
                    .encode(response);
            c.writePacket(1, bytes(response));
            RawMysqlClient.Packet switchRequest = c.readPacket();
            assertEquals(2, switchRequest.sequence());
            byte[] payload = switchRequest.payload();
            byte[] plugin = "mysql_native_password".getBytes(StandardCharsets.US_ASCII);
            assertEquals(0xfe, switchRequest.first());
            assertArrayEquals(plugin, Arrays.copyOfRange(payload, 1, 1 + plugin.length));
            byte[] seed = Arrays.copyOfRange(payload, 2 + plugin.length, payload.length - 1);
            c.writePacket(3, NativePassword.scramble(PASSWORD.getBytes(StandardCharsets.UTF_8), seed));
            RawMysqlClient.Packet ok = c.readPacket();
            assertEquals(4, ok.sequence());
            assertTrue(ok.isOk(), ok.describe());
        }
    }

    @Test
    void garbageGetsAnErrThenTheConnectionCloses() throws IOException {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", port, 5_000)) {
            c.readGreeting();
            c.writeRaw("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            List<RawMysqlClient.Packet> answer = c.readUntilClosed();
            assertEquals(1, answer.size());
            assertEquals(1153, answer.get(0).err().code()); // "GET" read as a frame length: 5.5 MB
        }
    }

    @Test
    void aTruncatedHandshakeResponseGetsAnErrThenTheConnectionCloses() throws IOException {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", port, 5_000)) {
            c.readGreeting();
            c.writePacket(1, new byte[] {(byte) 0x0d, (byte) 0xa2, 0, 0, 0, 0, 0, 1, 45});
            List<RawMysqlClient.Packet> answer = c.readUntilClosed();
            assertEquals(1, answer.size());
            RawMysqlClient.Err err = answer.get(0).err();
            assertEquals(1043, err.code());
            assertTrue(err.message().startsWith("berth admin console: bad handshake"), err.message());
        }
    }

    @Test
    void anSslRequestIsRefused() throws IOException {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", port, 5_000)) {
            c.readGreeting();
            ByteBuf request = Unpooled.buffer();
            HandshakeResponse41.writeFixedPart(request, Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SSL,
                    1 << 24, 45);
            c.writePacket(1, bytes(request));
            List<RawMysqlClient.Packet> answer = c.readUntilClosed();
            assertEquals(1, answer.size());
            assertEquals(2, answer.get(0).sequence());
            RawMysqlClient.Err err = answer.get(0).err();
            assertEquals(1043, err.code());
            assertTrue(err.message().contains("TLS is not offered"), err.message());
        }
    }

    @Test
    void aPacketOverTheBoundIsRefused() throws IOException {
        try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", port, "admin", PASSWORD, null)) {
            byte[] big = new byte[AdminServer.MAX_PACKET + 1];
            big[0] = Command.COM_QUERY;
            c.writePacket(0, big);
            List<RawMysqlClient.Packet> answer = c.readUntilClosed();
            assertEquals(1, answer.size());
            assertEquals(1153, answer.get(0).err().code());
        }
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }
}
