package dev.berth.proxy.frontend;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.frame;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.proxy.frontend.TestServers.MARIADB;
import static dev.berth.proxy.frontend.TestServers.NO_TLS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.mysql.message.HandshakeV10Test;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.EmbeddedBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A backend's responses on their way to a client: a real {@link BackendConnection} (logged in by BackendLogin on an
 * EmbeddedChannel standing for the server's socket) routes the server's frames to a {@link ClientResponseWriter},
 * which writes to an EmbeddedChannel standing for the client's. The server's bytes are MariaDB 10.11's, captured
 * with a raw socket logged in with Berth's capabilities (and, for the EOF variants, without CLIENT_DEPRECATE_EOF).
 * Each case runs with the server's bytes in one read and one byte per read.
 */
class ClientResponseWriterTest {

    // ---- what MariaDB 10.11 sends -----------------------------------------------------------------------------

    private static final String SELECT = "03 'SELECT 1 AS a, NULL AS b UNION ALL SELECT 2, ' 27 'two' 27";
    private static final String DEFINITIONS = """
            01 00 00 01  02             # column count 2
            17 00 00 02                 # column definition
              03 'def' 00 00 00         #   catalog def; no schema, table or org_table
              01 'a' 00                 #   name a; no org_name
              0c 3f 00                  #   length of the fixed fields; character set 63, binary
              02 00 00 00 03            #   column length 2; MYSQL_TYPE_LONG
              81 00 00 00 00            #   flags NOT_NULL | BINARY; decimals 0; filler
            17 00 00 03                 # column definition
              03 'def' 00 00 00
              01 'b' 00
              0c 2d 00                  #   character set 45, utf8mb4_general_ci
              0c 00 00 00 fd            #   column length 12; MYSQL_TYPE_VAR_STRING
              00 00 27 00 00            #   no flags; decimals 39; filler
            """;
    /** The answer to {@link #SELECT} on a connection with CLIENT_DEPRECATE_EOF, as Berth's are. */
    private static final String RESULT_SET = DEFINITIONS + """
            03 00 00 04  01 '1' fb      # row: 1, NULL
            06 00 00 05  01 '2' 03 'two'  # row: 2, two
            07 00 00 06                 # 0xFE header, 7 bytes: the OK that ends the rows
              fe 00 00 02 00 00 00      #   no rows affected, no insert id, status AUTOCOMMIT, no warnings
            """;
    /** The answer to {@link #SELECT} on a connection without CLIENT_DEPRECATE_EOF. */
    private static final String RESULT_SET_WITH_EOFS = DEFINITIONS + """
            05 00 00 04  fe 00 00 02 00  # EOF after the definitions: no warnings, status AUTOCOMMIT
            03 00 00 05  01 '1' fb      # row: 1, NULL
            06 00 00 06  01 '2' 03 'two'  # row: 2, two
            05 00 00 07  fe 00 00 02 00  # EOF after the rows
            """;
    /** {@code USE test}: an OK reporting the new schema (MariaDB tracks the schema by default). */
    private static final String USE_TEST_OK = """
            10 00 00 01                 # 16 bytes, sequence id 1
            00 00 00                    # OK, no rows affected, no insert id
            02 40                       # status AUTOCOMMIT | SESSION_STATE_CHANGED
            00 00                       # no warnings
            00                          # info: none
            07                          # session state changes: 7 bytes
              01 05 04 'test'           #   SESSION_TRACK_SCHEMA: test
            """;
    private static final String NO_SUCH_TABLE = """
            31 00 00 01                 # 49 bytes, sequence id 1
            ff 7a 04                    # ERR 1146, ER_NO_SUCH_TABLE
            23 '42S02'                  # SQL state
            'Table ' 27 'test.no_such_table' 27 ' doesn' 27 't exist'
            """;
    /** {@code LOAD DATA LOCAL INFILE '/tmp/berth.csv' INTO TABLE t}: the server asks for the file. */
    private static final String LOCAL_INFILE_REQUEST = "0f 00 00 01  fb '/tmp/berth.csv'";
    /** ... and after the empty packet that ends the (empty) file, sequence id 2: */
    private static final String LOAD_DATA_OK = """
            37 00 00 03                 # 55 bytes, sequence id 3
            00 00 00 02 00 00 00        # OK, no rows, AUTOCOMMIT, no warnings
            2f 'Records: 0  Deleted: 0  Skipped: 0  Warnings: 0'  # info, length-encoded
            """;

    // ---- clients ----------------------------------------------------------------------------------------------

    private static final long BASE = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_PROTOCOL_41
            | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
            | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH;
    private static final long DEPRECATE_EOF = Capabilities.CLIENT_DEPRECATE_EOF;
    private static final long SESSION_TRACK = Capabilities.CLIENT_SESSION_TRACK;
    private static final long LOCAL_FILES = Capabilities.CLIENT_LOCAL_FILES;

    /** How the server's bytes arrive. */
    enum Reads { ONE_READ, BYTE_BY_BYTE }

    private EmbeddedChannel client;
    private ClientSession session;
    private BackendConnection backend;
    private EmbeddedChannel server;

    @AfterEach
    void close() {
        if (client != null) {
            client.finishAndReleaseAll();
        }
        if (server != null) {
            server.finishAndReleaseAll();
        }
    }

    /** A client with {@code capabilities} in its command phase, served by a connection to MariaDB 10.11. */
    private ClientResponseWriter clientOf(long capabilities) {
        return clientOf(capabilities, HandshakeV10Test.MARIADB_GREETING);
    }

    private ClientResponseWriter clientOf(long capabilities, String backendGreeting) {
        backend = EmbeddedBackend.loggedIn(backendGreeting);
        server = (EmbeddedChannel) backend.channel();
        client = new EmbeddedChannel();
        session = new ClientSession(1, client);
        session.capabilities(capabilities);
        BerthConfig config = TestServers.config(BerthConfig.AUTO_AUTH, NO_TLS);
        CommandPhase commands = new CommandPhase(TestServers.context(config, MARIADB, null), session,
                new ClientAuthenticator(config, MARIADB));
        client.pipeline().addLast("commands", commands);
        session.backend(backend);
        return new ClientResponseWriter(commands, client, capabilities, false);
    }

    /** The client's command goes to the server, its response to be written by {@code writer}. */
    private void query(ClientResponseWriter writer, String sql) {
        backend.send(frame(0, sql), Command.COM_QUERY, writer, true);
        assertArrayEquals(bytes(frame(0, sql)), serverReceived());
    }

    private void serverSends(String golden, Reads reads) {
        byte[] wire = hex(golden);
        if (reads == Reads.ONE_READ) {
            server.writeInbound(Unpooled.wrappedBuffer(wire));
        } else {
            for (int i = 0; i < wire.length; i++) {
                server.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
            }
        }
    }

    /** Everything written to the client since the last call, frames joined as on the wire. */
    private byte[] clientReceived() {
        return drain(client);
    }

    private byte[] serverReceived() {
        return drain(server);
    }

    private static byte[] drain(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf frame;
        while ((frame = channel.readOutbound()) != null) {
            out.writeBytes(bytes(frame));
            frame.release();
        }
        return out.toByteArray();
    }

    private static void assertWire(String expectedGolden, byte[] actual) {
        assertEquals(hexOf(hex(expectedGolden)), hexOf(actual));
    }

    private static String hexOf(byte[] bytes) {
        return java.util.HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    // ---- result sets ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Reads.class)
    void resultSetReachesADeprecateEofClientAsTheServerSentIt(Reads reads) {
        ClientResponseWriter writer = clientOf(BASE | DEPRECATE_EOF | SESSION_TRACK);
        query(writer, SELECT);
        serverSends(RESULT_SET, reads);
        assertWire(RESULT_SET, clientReceived());
        assertTrue(backend.idle());
    }

    /**
     * A client without CLIENT_DEPRECATE_EOF gets an EOF after the definitions and one in place of the closing OK,
     * the rows' sequence ids moved up by one: byte for byte what MariaDB itself sends such a client.
     */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void resultSetGetsEofPacketsForAClientWithoutDeprecateEof(Reads reads) {
        ClientResponseWriter writer = clientOf(BASE | SESSION_TRACK);
        query(writer, SELECT);
        serverSends(RESULT_SET, reads);
        assertWire(RESULT_SET_WITH_EOFS, clientReceived());
    }

    /** The shift of sequence ids ends with the response: the next one goes out as it came. */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void nextResponseIsNotShifted(Reads reads) {
        ClientResponseWriter writer = clientOf(BASE);
        query(writer, SELECT);
        serverSends(RESULT_SET, reads);
        clientReceived();

        query(writer, "03 'SELECT * FROM no_such_table'");
        serverSends(NO_SUCH_TABLE, reads);
        assertWire(NO_SUCH_TABLE, clientReceived());
    }

    /**
     * From a backend without CLIENT_DEPRECATE_EOF (here MariaDB's greeting with that flag cleared, as a MariaDB before
     * 10.2 would send it): a client with the flag loses the definitions' EOF and gets an OK for the last one, the
     * rows moved down by one; a client without gets the bytes as they came.
     */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void resultSetFromABackendWithoutDeprecateEof(Reads reads) {
        String withoutDeprecateEof = HandshakeV10Test.MARIADB_GREETING.replace("ff 81", "ff 80");
        ClientResponseWriter writer = clientOf(BASE | DEPRECATE_EOF, withoutDeprecateEof);
        query(writer, SELECT);
        serverSends(RESULT_SET_WITH_EOFS, reads);
        assertWire(RESULT_SET, clientReceived());
        close();

        writer = clientOf(BASE, withoutDeprecateEof);
        query(writer, SELECT);
        serverSends(RESULT_SET_WITH_EOFS, reads);
        assertWire(RESULT_SET_WITH_EOFS, clientReceived());
    }

    /**
     * {@code SELECT 1; SELECT 2}: the ids go on counting across the results of one response, each inserted EOF moving
     * the rest up by one more. The ids and packets are those MariaDB sends a client without CLIENT_DEPRECATE_EOF;
     * the status of the EOFs Berth inserts after the definitions is not (see below).
     */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void multiResultGetsEofPacketsWithIdsCountingOn(Reads reads) {
        ClientResponseWriter writer = clientOf(BASE | SESSION_TRACK | Capabilities.CLIENT_MULTI_STATEMENTS);
        query(writer, "03 'SELECT 1; SELECT 2'");
        serverSends("""
                01 00 00 01  01             # column count 1
                17 00 00 02  03 'def' 00 00 00 01 '1' 00 0c 3f 00 01 00 00 00 03 81 00 00 00 00  # column 1
                02 00 00 03  01 '1'         # row
                07 00 00 04  fe 00 00 0a 00 00 00  # end of rows: MORE_RESULTS_EXISTS | AUTOCOMMIT
                01 00 00 05  01             # column count 1
                17 00 00 06  03 'def' 00 00 00 01 '2' 00 0c 3f 00 01 00 00 00 03 81 00 00 00 00  # column 2
                02 00 00 07  01 '2'         # row
                07 00 00 08  fe 00 00 02 00 00 00  # end of rows: AUTOCOMMIT
                """, reads);
        assertWire("""
                01 00 00 01  01
                17 00 00 02  03 'def' 00 00 00 01 '1' 00 0c 3f 00 01 00 00 00 03 81 00 00 00 00
                05 00 00 03  fe 00 00 02 00 # inserted EOF. The status is the last one Berth saw (MariaDB sends
                                            #   0a 00 here: it knows more results follow; Berth can't yet)
                02 00 00 04  01 '1'
                05 00 00 05  fe 00 00 0a 00 # EOF for the OK, MORE_RESULTS_EXISTS kept
                01 00 00 06  01
                17 00 00 07  03 'def' 00 00 00 01 '2' 00 0c 3f 00 01 00 00 00 03 81 00 00 00 00
                05 00 00 08  fe 00 00 0a 00 # inserted EOF, the last status seen (MariaDB: 02 00)
                02 00 00 09  01 '2'
                05 00 00 0a  fe 00 00 02 00
                """, clientReceived());
        assertTrue(backend.idle());
    }

    // ---- packets past 64 KB, streamed --------------------------------------------------------------------------

    /**
     * {@code SELECT REPEAT('x', 100000)}: the 100,004-byte row comes from the server in pieces (its head, then chunks)
     * and goes to the client in pieces, its bytes untouched; for a client without CLIENT_DEPRECATE_EOF only the head's
     * sequence id moves up by one, behind the inserted EOF.
     */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void rowOf100KbStreamsToTheClientInPieces(Reads reads) {
        byte[] value = "x".repeat(100_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String definitions = """
                01 00 00 01  01             # column count 1
                17 00 00 02  03 'def' 00 00 00 01 'r' 00 0c 21 00 00 35 0c 00 fd 00 00 27 00 00  # column r
                """;
        String rowHeader = "a4 86 01 %02x  fd a0 86 01  # 100,004 bytes; a string of 100,000 bytes";
        String end = "07 00 00 %02x  fe 00 00 02 00 00 00  # end of rows";
        for (long capabilities : new long[] {BASE | DEPRECATE_EOF, BASE}) {
            ClientResponseWriter writer = clientOf(capabilities);
            query(writer, "03 'SELECT REPEAT(' 27 'x' 27 ', 100000) AS r'");
            byte[] sent = concat(hex(definitions), hex(String.format(rowHeader, 3)), value, hex(String.format(end, 4)));
            if (reads == Reads.ONE_READ) {
                server.writeInbound(Unpooled.wrappedBuffer(sent));
            } else {
                for (int i = 0; i < sent.length; i++) {
                    server.writeInbound(Unpooled.wrappedBuffer(sent, i, 1));
                }
            }
            int pieces = 0;
            int largest = 0;
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuf piece;
            while ((piece = client.readOutbound()) != null) {
                pieces++;
                largest = Math.max(largest, piece.readableBytes());
                received.writeBytes(bytes(piece));
                piece.release();
            }
            byte[] expected = capabilities == BASE
                    ? concat(hex(definitions), hex("05 00 00 03  fe 00 00 02 00  # inserted EOF"),
                            hex(String.format(rowHeader, 4)), value, hex("05 00 00 05  fe 00 00 02 00  # EOF for the OK"))
                    : sent;
            assertEquals(hexOf(expected), hexOf(received.toByteArray()));
            assertTrue(pieces > 4, "the row went out in pieces: " + pieces + " writes");
            assertTrue(largest <= 4 + 64 * 1024, "largest write " + largest);
            assertTrue(backend.idle());
            close();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    // ---- OK and ERR -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Reads.class)
    void okWithSessionStateReachesASessionTrackingClientAsSent(Reads reads) {
        ClientResponseWriter writer = clientOf(BASE | SESSION_TRACK);
        query(writer, "03 'USE test'");
        serverSends(USE_TEST_OK, reads);
        assertWire(USE_TEST_OK, clientReceived());
        assertEquals("test", session.schema());
        assertEquals("test", backend.schema());
    }

    /** Without CLIENT_SESSION_TRACK the state block and its status flag are dropped; Berth still follows the schema. */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void okWithSessionStateIsStrippedForAClientWithoutSessionTrack(Reads reads) {
        ClientResponseWriter writer = clientOf(BASE | DEPRECATE_EOF);
        query(writer, "03 'USE test'");
        serverSends(USE_TEST_OK, reads);
        assertWire("""
                07 00 00 01                 # 7 bytes, sequence id 1
                00 00 00                    # OK, no rows affected, no insert id
                02 00                       # status AUTOCOMMIT (SESSION_STATE_CHANGED dropped)
                00 00                       # no warnings; nothing after them
                """, clientReceived());
        assertEquals("test", session.schema());
        assertEquals("test", backend.schema());
    }

    @ParameterizedTest
    @EnumSource(Reads.class)
    void errReachesEveryClientAsSent(Reads reads) {
        for (long capabilities : new long[] {BASE, BASE | DEPRECATE_EOF | SESSION_TRACK}) {
            ClientResponseWriter writer = clientOf(capabilities);
            query(writer, "03 'SELECT * FROM no_such_table'");
            serverSends(NO_SUCH_TABLE, reads);
            assertWire(NO_SUCH_TABLE, clientReceived());
            close();
        }
    }

    // ---- LOAD DATA LOCAL INFILE -------------------------------------------------------------------------------

    /** A client that enabled local files gets the request, sends its file, and gets the server's OK as sent. */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void localInfileRequestReachesAClientWithLocalFiles(Reads reads) {
        for (long capabilities : new long[] {BASE | LOCAL_FILES | SESSION_TRACK, BASE | LOCAL_FILES}) {
            ClientResponseWriter writer = clientOf(capabilities);
            query(writer, "03 'LOAD DATA LOCAL INFILE ' 27 '/tmp/berth.csv' 27 ' INTO TABLE t'");
            serverSends(LOCAL_INFILE_REQUEST, reads);
            assertWire(LOCAL_INFILE_REQUEST, clientReceived());

            // The client's empty file, passed on as CommandPhase passes the packet that ends a file.
            backend.send(frame(2, ""), -1, null, true);
            backend.localInfileSent();
            assertWire("00 00 00 02  # empty packet, sequence id 2", serverReceived());

            serverSends(LOAD_DATA_OK, reads);
            // Its info is length-encoded with CLIENT_SESSION_TRACK or without (see OkPacket).
            assertWire(LOAD_DATA_OK, clientReceived());
            assertTrue(backend.idle());
            close();
        }
    }

    /**
     * A client that did not enable local files never sees the request: Berth sends the server an empty file itself,
     * drops the server's answer, and gives the client ERR 1148 as the answer to its query.
     */
    @ParameterizedTest
    @EnumSource(Reads.class)
    void localInfileIsRefusedForAClientWithoutLocalFiles(Reads reads) {
        ClientResponseWriter writer = clientOf(BASE | DEPRECATE_EOF | SESSION_TRACK);
        query(writer, "03 'LOAD DATA LOCAL INFILE ' 27 '/tmp/berth.csv' 27 ' INTO TABLE t'");
        serverSends(LOCAL_INFILE_REQUEST, reads);
        assertWire("00 00 00 02  # empty packet, sequence id 2: an empty file", serverReceived());
        assertArrayEquals(new byte[0], clientReceived());

        serverSends(LOAD_DATA_OK, reads);
        assertArrayEquals(bytes(frame(1, """
                ff 7c 04                    # ERR 1148, ER_NOT_ALLOWED_COMMAND
                23 '42000'                  # SQL state
                'berth: LOAD DATA LOCAL INFILE needs the client to enable local files '
                '(e.g. allowLoadLocalInfile=true, --local-infile=1)'
                """)), clientReceived());
        assertTrue(backend.idle());

        // The connection is between commands again, and the next answer is the server's own.
        query(writer, "03 'SELECT * FROM no_such_table'");
        serverSends(NO_SUCH_TABLE, reads);
        assertWire(NO_SUCH_TABLE, clientReceived());
        assertNull(server.readOutbound());
    }
}
