package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.BackendThread;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RawMysqlClient.Packet;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Berth opens every backend connection with one capability set (CLIENT_DEPRECATE_EOF, CLIENT_SESSION_TRACK,
 * CLIENT_MULTI_STATEMENTS on) and translates for each client. A bare client checks the bytes it gets.
 */
class ProtocolTranslationIT {
    /** What a modern driver asks for, less the flags each test adds. */
    private static final long OLD_CLIENT = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_LONG_FLAG
            | Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
            | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PS_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH;
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        berth = RunningBerth.start("--no-tls");
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    private RawMysqlClient login(long capabilities) throws Exception {
        RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", berth.port(), 20_000);
        Packet ok = client.tryLogin(RunningBerth.USER, RunningBerth.PASSWORD, TestDatabase.DATABASE, capabilities);
        assertEquals(0x00, ok.first(), () -> "login failed: " + ok.describe());
        return client;
    }

    @Test
    void clientWithoutDeprecateEofGetsEofPackets() throws Exception {
        try (RawMysqlClient client = login(OLD_CLIENT)) {
            client.sendQuery("SELECT 1");
            List<Packet> packets = client.read(5);
            assertEquals(1, packets.get(0).first(), "column count");
            assertEquals(0xfe, packets.get(2).first(), "EOF after the column definitions");
            assertEquals(5, packets.get(2).payload().length);
            assertEquals(0xfe, packets.get(4).first(), "EOF after the rows");
            assertEquals(5, packets.get(4).payload().length);
            for (int i = 0; i < 5; i++) {
                assertEquals(i + 1, packets.get(i).sequence(), "sequence ids run on across the inserted EOF");
            }
            client.sendQuery("SELECT 2");
            assertEquals(1, client.read(1).get(0).first(), "the next command starts cleanly");
        }
    }

    @Test
    void clientWithDeprecateEofGetsOkTerminator() throws Exception {
        try (RawMysqlClient client = login(OLD_CLIENT | Capabilities.CLIENT_DEPRECATE_EOF)) {
            client.sendQuery("SELECT 1");
            List<Packet> packets = client.read(4);
            assertEquals(0x03, packets.get(1).payload()[0], "column definition (catalog 'def')");
            assertEquals(0x01, packets.get(2).first(), "the row follows the definition directly");
            assertEquals(0xfe, packets.get(3).first(), "OK packet with the 0xFE header ends the rows");
            assertTrue(packets.get(3).payload().length >= 7);
        }
    }

    @Test
    void preparedStatementMetadataGetsEofPacketsForOldClients() throws Exception {
        try (RawMysqlClient client = login(OLD_CLIENT)) {
            client.command(0x16, "SELECT ?, 1".getBytes(StandardCharsets.UTF_8));
            Packet prepareOk = client.read(1).get(0);
            assertEquals(0x00, prepareOk.first());
            int columns = (prepareOk.payload()[5] & 0xff) | (prepareOk.payload()[6] & 0xff) << 8;
            int params = (prepareOk.payload()[7] & 0xff) | (prepareOk.payload()[8] & 0xff) << 8;
            assertEquals(2, columns);
            assertEquals(1, params);
            List<Packet> rest = client.read(params + 1 + columns + 1);
            assertEquals(0xfe, rest.get(params).first(), "EOF after the parameter definitions");
            assertEquals(0xfe, rest.get(params + 1 + columns).first(), "EOF after the column definitions");
            client.sendQuery("SELECT 3");
            assertEquals(1, client.read(1).get(0).first(), "nothing left over from the prepare response");
        }
    }

    @Test
    void sessionStateIsStrippedForClientsThatDidNotAskForIt() throws Exception {
        try (RawMysqlClient client = login(OLD_CLIENT)) {
            client.command(0x02, "mysql".getBytes(StandardCharsets.UTF_8));
            Packet ok = client.read(1).get(0);
            assertEquals(0x00, ok.first());
            int status = (ok.payload()[3] & 0xff) | (ok.payload()[4] & 0xff) << 8;
            assertEquals(0, status & ServerStatus.SESSION_STATE_CHANGED);
            assertEquals(7, ok.payload().length, "header, 2 lenenc zeros, status, warnings and no info");
        }
        try (RawMysqlClient client = login(OLD_CLIENT | Capabilities.CLIENT_SESSION_TRACK)) {
            client.command(0x02, "mysql".getBytes(StandardCharsets.UTF_8));
            Packet ok = client.read(1).get(0);
            int status = (ok.payload()[3] & 0xff) | (ok.payload()[4] & 0xff) << 8;
            assertTrue((status & ServerStatus.SESSION_STATE_CHANGED) != 0, "a client that asked sees the change");
            assertTrue(new String(ok.payload(), StandardCharsets.UTF_8).contains("mysql"));
        }
    }

    @Test
    void multiStatementsOnlyForClientsThatEnabledThem() throws Exception {
        try (RawMysqlClient client = login(OLD_CLIENT | Capabilities.CLIENT_DEPRECATE_EOF)) {
            client.sendQuery("SELECT 1; SELECT 2");
            Packet err = client.read(1).get(0);
            assertTrue(err.isErr(), "the backend must not run the second statement");
            assertEquals(1064, err.err().code());
        }
        try (RawMysqlClient client = login(OLD_CLIENT | Capabilities.CLIENT_DEPRECATE_EOF
                | Capabilities.CLIENT_MULTI_STATEMENTS)) {
            client.sendQuery("SELECT 1; SELECT 2");
            List<Packet> first = client.read(4);
            int status = (first.get(3).payload()[3] & 0xff) | (first.get(3).payload()[4] & 0xff) << 8;
            assertTrue((status & ServerStatus.MORE_RESULTS_EXISTS) != 0);
            List<Packet> second = client.read(4);
            assertEquals('2', second.get(2).payload()[1]);
        }
    }

    @Test
    void clientsSwitchMultiStatementsOnWithComSetOption() throws Exception {
        for (long deprecateEof : new long[] {0, Capabilities.CLIENT_DEPRECATE_EOF}) {
            try (RawMysqlClient client = login(OLD_CLIENT | deprecateEof)) {
                client.command(0x1b, new byte[] {0, 0}); // COM_SET_OPTION MYSQL_OPTION_MULTI_STATEMENTS_ON
                Packet answer = client.read(1).get(0);
                assertEquals(0xfe, answer.first(), answer.describe());
                if (deprecateEof == 0) {
                    assertEquals(5, answer.payload().length, "an EOF packet for a client without DEPRECATE_EOF");
                }
                client.sendQuery("SELECT 1; SELECT 2");
                List<Packet> first = client.read(deprecateEof == 0 ? 5 : 4);
                assertEquals(1, first.get(0).first(), first.get(0).describe());
            }
        }
    }

    @Test
    void multiStatementsSwitchedOnByOneClientAreOffForTheNext() throws Exception {
        long serverThread;
        // Earlier tests' clients must have given their connections back, or one of those may be the newest idle.
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().inUse() == 0, () -> berth.poolStats().toString());
        try (RawMysqlClient client = login(OLD_CLIENT)) {
            client.command(0x1b, new byte[] {0, 0}); // COM_SET_OPTION MYSQL_OPTION_MULTI_STATEMENTS_ON
            assertEquals(0xfe, client.read(1).get(0).first());
            serverThread = Long.parseLong(client.queryValue(BackendThread.SQL));
        }
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().inUse() == 0, () -> berth.poolStats().toString());
        try (RawMysqlClient client = login(OLD_CLIENT)) {
            assertEquals(serverThread, Long.parseLong(client.queryValue(BackendThread.SQL)),
                    "the newest idle connection is reused");
            client.sendQuery("SELECT 1; SELECT 2");
            Packet err = client.read(1).get(0);
            assertTrue(err.isErr(), "multi-statements must be off again: " + err.describe());
            assertEquals(1064, err.err().code());
        }
    }

    @Test
    void eachClientGetsTheCharacterSetOfItsHandshakeOnAReusedBackend() throws Exception {
        long serverThread;
        // Earlier tests' clients must have given their connections back, or one of those may be the newest idle.
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().inUse() == 0, () -> berth.poolStats().toString());
        try (RawMysqlClient latin1 = RawMysqlClient.connect("127.0.0.1", berth.port(), 20_000)) {
            assertTrue(latin1.tryLogin(RunningBerth.USER, RunningBerth.PASSWORD, TestDatabase.DATABASE, OLD_CLIENT,
                    RawMysqlClient.LATIN1_SWEDISH_CI).isOk());
            assertEquals("latin1 latin1 latin1_swedish_ci", latin1.queryValue(
                    "SELECT CONCAT_WS(' ', @@character_set_client, @@character_set_results, @@collation_connection)"));
            serverThread = Long.parseLong(latin1.queryValue(BackendThread.SQL));
        }
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().inUse() == 0, () -> berth.poolStats().toString());
        try (RawMysqlClient utf8 = RawMysqlClient.connect("127.0.0.1", berth.port(), 20_000)) {
            assertTrue(utf8.tryLogin(RunningBerth.USER, RunningBerth.PASSWORD, TestDatabase.DATABASE, OLD_CLIENT,
                    RawMysqlClient.UTF8MB4_GENERAL_CI).isOk());
            assertEquals(serverThread, Long.parseLong(utf8.queryValue(BackendThread.SQL)),
                    "the same backend connection serves the second client");
            assertEquals("utf8mb4 utf8mb4 utf8mb4_general_ci", utf8.queryValue(
                    "SELECT CONCAT_WS(' ', @@character_set_client, @@character_set_results, @@collation_connection)"));
        }
    }

    @Test
    void localInfileIsRefusedForClientsThatDidNotEnableIt() throws Exception {
        try (RawMysqlClient client = login(OLD_CLIENT | Capabilities.CLIENT_DEPRECATE_EOF)) {
            client.sendQuery("CREATE TEMPORARY TABLE infile_probe (a INT)");
            assertEquals(0x00, client.read(1).get(0).first());
            client.sendQuery("LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE infile_probe");
            Packet err = client.read(1).get(0);
            assertTrue(err.isErr());
            assertEquals(1148, err.err().code());
            assertTrue(err.err().message().contains("local"), err.err().message());
            client.sendQuery("SELECT COUNT(*) FROM infile_probe");
            List<Packet> packets = client.read(4);
            assertEquals('0', packets.get(2).payload()[1], "no rows were loaded and the session goes on");
        }
    }

    @Test
    void unsupportedCommandsGetAnErrAndTheSessionGoesOn() throws Exception {
        try (RawMysqlClient client = login(OLD_CLIENT | Capabilities.CLIENT_DEPRECATE_EOF)) {
            client.command(0x12, new byte[10]); // COM_BINLOG_DUMP
            Packet err = client.read(1).get(0);
            assertTrue(err.isErr());
            assertEquals(1047, err.err().code());
            assertFalse(err.err().message().isEmpty());
            client.sendQuery("SELECT 1");
            assertEquals(1, client.read(1).get(0).first());
        }
    }
}
