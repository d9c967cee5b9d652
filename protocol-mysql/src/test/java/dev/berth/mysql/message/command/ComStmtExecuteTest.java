package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static dev.berth.mysql.Records.assertRecordEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.message.Truncation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ComStmtExecuteTest {
    /**
     * MySQL Connector/J 9.1.0 with {@code useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=10} executing
     * {@code SELECT seq, ? FROM seq_1_to_25 WHERE seq > ?} with "x" and 3 on MariaDB 10.11.19, which had prepared it
     * as statement 69; captured through a relay.
     */
    static final String CURSOR_EXECUTE = """
            17              # command: COM_STMT_EXECUTE
            45 00 00 00     # statement id 69
            01              # flags: CURSOR_TYPE_READ_ONLY
            01 00 00 00     # iteration count 1
            00              # NULL bitmap: neither parameter is NULL
            01              # new-params-bound flag: types follow
            fd 00           # parameter 1: MYSQL_TYPE_VAR_STRING
            03 00           # parameter 2: MYSQL_TYPE_LONG
            01 'x'          # value 1: length-encoded string
            03 00 00 00     # value 2: int<4> 3
            """;

    /** The same driver executing {@code SELECT LENGTH(?)} (statement 70) after sending the value as long data. */
    static final String LONG_DATA_EXECUTE = """
            17              # command: COM_STMT_EXECUTE
            46 00 00 00     # statement id 70
            01              # flags: CURSOR_TYPE_READ_ONLY
            01 00 00 00     # iteration count 1
            00              # NULL bitmap
            01              # new-params-bound flag
            fc 00           # parameter 1: MYSQL_TYPE_BLOB; its value came by COM_STMT_SEND_LONG_DATA, none here
            """;

    /**
     * MariaDB Connector/J 3.5.1 with {@code useServerPrepStmts=true} executing {@code SELECT ? + 1} with 41: sent
     * right behind its COM_STMT_PREPARE, before the statement id was known.
     */
    static final String PIPELINED_EXECUTE = """
            17              # command: COM_STMT_EXECUTE
            ff ff ff ff     # statement id -1: the statement prepared last (MariaDB)
            00              # flags: CURSOR_TYPE_NO_CURSOR
            01 00 00 00     # iteration count 1
            00              # NULL bitmap
            01              # new-params-bound flag
            08 00           # parameter 1: MYSQL_TYPE_LONGLONG
            29 00 00 00 00 00 00 00  # value 1: int<8> 41
            """;

    @Test
    void decodesARealExecuteWithACursor() {
        ComStmtExecute execute = ComStmtExecute.decode(payload(CURSOR_EXECUTE));
        assertEquals(69, execute.statementId());
        assertEquals(ComStmtExecute.CURSOR_TYPE_READ_ONLY, execute.flags());
        assertEquals(ComStmtExecute.CURSOR_TYPE_READ_ONLY, execute.cursorType());
        assertEquals(1, execute.iterationCount());
        assertArrayEquals(hex("00 01 fd 00 03 00 01 'x' 03 00 00 00"), execute.parameters());
    }

    @Test
    void decodesMariaDbsPipelinedExecute() {
        ComStmtExecute execute = ComStmtExecute.decode(payload(PIPELINED_EXECUTE));
        assertEquals(StatementIds.LAST_PREPARED, execute.statementId());
        assertEquals(ComStmtExecute.CURSOR_TYPE_NO_CURSOR, execute.cursorType());
    }

    @Test
    void reEncodesRealExecutesToTheSameBytes() {
        for (String golden : new String[] {CURSOR_EXECUTE, LONG_DATA_EXECUTE, PIPELINED_EXECUTE}) {
            ByteBuf out = Unpooled.buffer();
            ComStmtExecute.decode(payload(golden)).encode(out);
            assertArrayEquals(hex(golden), bytes(out));
        }
    }

    @Test
    void withAnotherStatementIdOnlyTheIdChanges() {
        ByteBuf out = Unpooled.buffer();
        ComStmtExecute.decode(payload(CURSOR_EXECUTE)).withStatementId(0xfffffffeL).encode(out);
        assertArrayEquals(hex(CURSOR_EXECUTE.replace("45 00 00 00", "fe ff ff ff")), bytes(out));
        assertEquals(0xfffffffeL, ComStmtExecute.decode(out.resetReaderIndex()).statementId());
    }

    @Test
    void cursorTypeIgnoresOtherFlags() {
        ComStmtExecute execute = new ComStmtExecute(1, 0x08 | ComStmtExecute.CURSOR_TYPE_SCROLLABLE, 1, new byte[0]);
        assertEquals(ComStmtExecute.CURSOR_TYPE_SCROLLABLE, execute.cursorType());
    }

    /** Up to the iteration count every byte is needed; the parameters may be absent (a statement without any). */
    @Test
    void truncatedBeforeTheParametersIsMalformed() {
        Truncation.assertMalformedBelow(hex(CURSOR_EXECUTE), 10, ComStmtExecute::decode);
        assertArrayEquals(new byte[0], ComStmtExecute.decode(payload("17 45 00 00 00 00 01 00 00 00")).parameters());
    }

    @Test
    void anotherCommandIsMalformed() {
        ByteBuf fetch = payload(StatementCommandsTest.FETCH + "00");
        assertThrows(MalformedPacketException.class, () -> ComStmtExecute.decode(fetch));
    }

    @Test
    void roundTrips() {
        ComStmtExecute execute = new ComStmtExecute(0xffffffffL, 0x80, 1, hex("00 01 08 00 29 00 00 00 00 00 00 00"));
        ByteBuf out = Unpooled.buffer();
        execute.encode(out);
        assertRecordEquals(execute, ComStmtExecute.decode(out));
    }
}
