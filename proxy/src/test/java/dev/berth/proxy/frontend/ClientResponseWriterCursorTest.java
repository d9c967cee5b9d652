package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.config.BerthConfig;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.TestBackends;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A backend's responses (always with CLIENT_DEPRECATE_EOF) as a client sees them. The backend frames are what
 * MariaDB 10.11 sent Berth; the expected frames are what the same server sends a client without
 * CLIENT_DEPRECATE_EOF (libmariadb) directly. Frames are written as "sequence-id: payload hex".
 */
class ClientResponseWriterCursorTest {
    private static final long BASE = Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SECURE_CONNECTION
            | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_PLUGIN_AUTH | Capabilities.CLIENT_MULTI_RESULTS
            | Capabilities.CLIENT_PS_MULTI_RESULTS;
    private static final long BACKEND = BASE | Capabilities.CLIENT_DEPRECATE_EOF | Capabilities.CLIENT_SESSION_TRACK;

    /** Column definitions of {@code SELECT seq, 'x' FROM seq_1_to_10 WHERE seq > 100} (binary protocol). */
    private static final String SEQ_DEF = "0364656604746573740b7365715f315f746f5f31300b7365715f315f746f5f3130"
            + "03736571037365710c3f0014000000082110000000";
    private static final String X_DEF = "03646566000000017801780c2d0004000000fd0100000000";

    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel server = new EmbeddedChannel();
    private ClientResponseWriter writer;
    private BackendConnection backend;

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    /**
     * COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY: the backend ends the definitions with a 0xFE OK carrying
     * SERVER_STATUS_CURSOR_EXISTS. The client must get that status in the one EOF after the definitions, not an
     * EOF without it followed by a second one (the C client then fails with 2014 Commands out of sync).
     */
    @Test
    void cursorOpenedByExecuteEndsWithOneEofCarryingCursorExists() {
        List<String> sent = respond(BASE, Command.COM_STMT_EXECUTE,
                "1: 02", "2: " + SEQ_DEF, "3: " + X_DEF,
                "4: fe000042000000"); // OK 0xFE, status CURSOR_EXISTS | AUTOCOMMIT
        assertEquals(List.of("1: 02", "2: " + SEQ_DEF, "3: " + X_DEF,
                "4: fe00004200"), sent); // EOF, warnings 0, status CURSOR_EXISTS | AUTOCOMMIT
    }

    @Test
    void fetchRowsThenEof() {
        assertEquals(List.of("1: 00000a00000000000000", "2: 00001400000000000000", "3: fe00004200"),
                respond(BASE, Command.COM_STMT_FETCH,
                        "1: 00000a00000000000000", "2: 00001400000000000000", "3: fe000042000000"));
        assertEquals(List.of("1: fe00008200"), respond(BASE, Command.COM_STMT_FETCH, "1: fe000082000000"));
    }

    /** Without a cursor an empty result set still gets both EOFs: after the definitions and after the rows. */
    @Test
    void emptyResultWithoutCursorGetsTwoEofs() {
        assertEquals(List.of("1: 02", "2: " + SEQ_DEF, "3: " + X_DEF, "4: fe00000200", "5: fe00000200"),
                respond(BASE, Command.COM_STMT_EXECUTE,
                        "1: 02", "2: " + SEQ_DEF, "3: " + X_DEF, "4: fe000002000000"));
    }

    @Test
    void rowsGetAnEofInsertedBeforeThemAndTheirSequenceIdsShifted() {
        assertEquals(List.of("1: 01", "2: " + X_DEF, "3: fe00000200", "4: 000001", "5: 000002", "6: fe00000200"),
                respond(BASE, Command.COM_STMT_EXECUTE,
                        "1: 01", "2: " + X_DEF, "3: 000001", "4: 000002", "5: fe000002000000"));
    }

    /** COM_STMT_PREPARE's response ends with its last definition: the EOF goes in at once. */
    @Test
    void prepareEndsWithAnInsertedEof() {
        String prepareOk = "00010000000100000000000000"; // statement 1, 1 column, 0 parameters
        assertEquals(List.of("1: " + prepareOk, "2: " + X_DEF, "3: fe00000200"),
                respond(BASE, Command.COM_STMT_PREPARE, "1: " + prepareOk, "2: " + X_DEF));
    }

    /**
     * A cursor half-read (the last fetch said CURSOR_EXISTS), then another statement without a cursor: the EOF
     * inserted after its definitions must not take the fetch's CURSOR_EXISTS, nor a text query's its LAST_ROW_SENT.
     */
    @Test
    void insertedEofsDoNotCarryAnotherStatementsCursorFlags() {
        respond(BASE, Command.COM_STMT_FETCH, "1: 00000100000000000000", "2: fe000042000000");
        assertEquals(List.of("1: 01", "2: " + X_DEF, "3: fe00000200", "4: 000001", "5: fe00002200"),
                respond(BASE, Command.COM_STMT_EXECUTE, "1: 01", "2: " + X_DEF, "3: 000001", "4: fe000022000000"));
        respond(BASE, Command.COM_STMT_FETCH, "1: fe000082000000");
        assertEquals(List.of("1: 01", "2: " + X_DEF, "3: fe00000200", "4: 0178", "5: fe00000200"),
                respond(BASE, Command.COM_QUERY, "1: 01", "2: " + X_DEF, "3: 0178", "4: fe000002000000"));
    }

    /**
     * The definitions, then an ERR where their EOF would be: the cursor could not be opened. The server sends a
     * client without CLIENT_DEPRECATE_EOF no EOF before the ERR either.
     */
    @Test
    void cursorThatFailsToOpenGetsNoEofBeforeItsError() {
        String err = "ffda04233231303030" + "5375627175657279"; // 1242, #21000, "Subquery"
        assertEquals(List.of("1: 01", "2: " + X_DEF, "3: " + err),
                respond(BASE, Command.COM_STMT_EXECUTE, "1: 01", "2: " + X_DEF, "3: " + err));
        // A text query's error after the definitions comes after their EOF.
        assertEquals(List.of("1: 01", "2: " + X_DEF, "3: fe00000200", "4: " + err),
                respond(BASE, Command.COM_QUERY, "1: 01", "2: " + X_DEF, "3: " + err));
    }

    @Test
    void clientWithDeprecateEofGetsTheCursorResponseAsItCame() {
        assertEquals(List.of("1: 02", "2: " + SEQ_DEF, "3: " + X_DEF, "4: fe000042000000"),
                respond(BASE | Capabilities.CLIENT_DEPRECATE_EOF, Command.COM_STMT_EXECUTE,
                        "1: 02", "2: " + SEQ_DEF, "3: " + X_DEF, "4: fe000042000000"));
    }

    /**
     * Sends {@code command} to the backend, feeds it {@code frames} as the answer, and returns what the client got.
     * The backend connection and the writer live for the whole test, as they do for a client's session.
     */
    private List<String> respond(long clientCapabilities, int command, String... frames) {
        if (writer == null) {
            ClientSession session = new ClientSession(1, client);
            session.capabilities(clientCapabilities);
            BerthConfig config = TestServers.config(BerthConfig.AUTO_AUTH, TestServers.NO_TLS);
            CommandPhase commands = new CommandPhase(TestServers.context(config, TestServers.MARIADB, null), session,
                    new ClientAuthenticator(config, TestServers.MARIADB));
            writer = new ClientResponseWriter(commands, client, clientCapabilities, false);
            backend = TestBackends.connection(server, BACKEND);
        }
        backend.send(command(command), command, writer, true);
        for (String frame : frames) {
            TestBackends.receive(backend, frame(frame));
        }
        client.flush();
        List<String> sent = new ArrayList<>();
        ByteBuf out;
        while ((out = client.readOutbound()) != null) {
            int length = out.getUnsignedMediumLE(out.readerIndex());
            assertEquals(out.readableBytes() - 4, length, "frame length");
            sent.add(out.getUnsignedByte(out.readerIndex() + 3) + ": "
                    + ByteBufUtil.hexDump(out, out.readerIndex() + 4, length));
            out.release();
        }
        server.releaseOutbound();
        return sent;
    }

    /** The command's frame; COM_STMT_EXECUTE of statement 1 asks for a read-only cursor, as libmariadb does. */
    private static ByteBuf command(int command) {
        String payload = String.format("%02x", command);
        if (command == Command.COM_STMT_EXECUTE) {
            payload += "01000000" + "01" + "01000000"; // statement id 1, CURSOR_TYPE_READ_ONLY, iteration count 1
        }
        return frame("0: " + payload);
    }

    private static ByteBuf frame(String frame) {
        int colon = frame.indexOf(':');
        byte[] payload = HexFormat.of().parseHex(frame.substring(colon + 1).strip());
        ByteBuf buf = Unpooled.buffer(4 + payload.length);
        buf.writeMediumLE(payload.length).writeByte(Integer.parseInt(frame.substring(0, colon))).writeBytes(payload);
        return buf;
    }
}
