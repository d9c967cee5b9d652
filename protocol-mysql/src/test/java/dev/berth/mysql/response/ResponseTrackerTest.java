package dev.berth.mysql.response;

import static dev.berth.mysql.Golden.frame;
import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden response sequences through the tracker. Each frame's kind is recorded, with {@code !} when
 * {@link ResponseTracker#responseComplete()} held right after it.
 */
class ResponseTrackerTest {
    private static final int AUTOCOMMIT = ServerStatus.AUTOCOMMIT;
    private static final int MORE = ServerStatus.MORE_RESULTS_EXISTS | ServerStatus.AUTOCOMMIT;

    static final String OK = """
            00                 # header: OK
            00                 # affected rows 0
            00                 # last insert id 0
            02 00              # status: AUTOCOMMIT
            00 00              # warnings
            """;
    static final String ERR = """
            ff                 # header: ERR
            28 04              # error code 1064 (ER_PARSE_ERROR)
            23 '42000'         # SQL state
            'You have an error in your SQL syntax'
            """;
    /** A column definition (Protocol::ColumnDefinition41) for SELECT 1. */
    static final String COLUMN_DEF = """
            03 'def'           # catalog
            00                 # schema
            00                 # table
            00                 # org_table
            01 '1'             # name
            00                 # org_name
            0c                 # length of the fixed fields
            3f 00              # character set 63, binary
            01 00 00 00        # column length 1
            08                 # type MYSQL_TYPE_LONGLONG
            81 00              # flags NOT_NULL | BINARY
            00                 # decimals
            00 00              # filler
            """;
    /** A parameter definition of COM_STMT_PREPARE. */
    static final String PARAM_DEF = """
            03 'def' 00 00 00  # catalog, schema, table, org_table
            01 '?' 00          # name ?, org_name
            0c                 # length of the fixed fields
            3f 00              # character set 63
            00 00 00 00        # column length
            fd                 # type MYSQL_TYPE_VAR_STRING
            80 00              # flags BINARY
            00 00 00           # decimals, filler
            """;

    /** Captured from MariaDB 10.11: the definitions of {@code SELECT seq, 'x' FROM seq_1_to_10 ...} (binary). */
    private static final String CURSOR_COLUMN_COUNT = "02  # column count 2";
    private static final String CURSOR_SEQ_DEF = """
            03 'def' 04 'test'                  # catalog, schema
            0b 'seq_1_to_10' 0b 'seq_1_to_10'   # table, org_table
            03 'seq' 03 'seq'                   # name, org_name
            0c 3f 00 14 00 00 00                # fixed fields: character set 63, length 20
            08 21 10 00 00 00                   # LONGLONG, flags NOT_NULL | UNSIGNED | NO_DEFAULT_VALUE, decimals, filler
            """;
    private static final String CURSOR_X_DEF = """
            03 'def' 00 00 00                   # catalog, schema, table, org_table
            01 'x' 01 'x'                       # name, org_name
            0c 2d 00 04 00 00 00                # fixed fields: character set 45, length 4
            fd 01 00 00 00 00                   # VAR_STRING, flags NOT_NULL, decimals, filler
            """;

    // --- OK and ERR ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void ok(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_QUERY);
        assertEquals(List.of("OK!"), feed(t, frame(1, """
                00                 # header: OK
                01                 # affected rows 1
                05                 # last insert id 5
                03 00              # status: IN_TRANS | AUTOCOMMIT
                00 00              # warnings
                """)));
        assertEquals(ServerStatus.IN_TRANS | AUTOCOMMIT, t.statusFlags());
        assertTrue(t.idle());
    }

    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void err(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_QUERY);
        feed(t, frame(1, OK.replace("02 00", "03 00")));
        t.expect(Command.COM_QUERY);
        assertEquals(List.of("ERR!"), feed(t, frame(1, ERR)));
        // An ERR carries no status: the last one known stays.
        assertEquals(ServerStatus.IN_TRANS | AUTOCOMMIT, t.statusFlags());
        assertTrue(t.idle());
    }

    @Test
    void singlePacketCommandsAnswerOkOrErr() {
        for (int command : new int[] {Command.COM_PING, Command.COM_INIT_DB, Command.COM_RESET_CONNECTION,
                Command.COM_STMT_RESET, Command.COM_CHANGE_USER}) {
            ResponseTracker t = tracker(true, command);
            assertEquals(List.of("OK!"), feed(t, frame(1, OK)), Command.name(command));
            t.expect(command);
            assertEquals(List.of("ERR!"), feed(t, frame(1, ERR)), Command.name(command));
        }
    }

    // --- text result sets ---------------------------------------------------------------------------------------

    /** Rows whose first byte is 0x00 (empty string) or 0xFB (NULL) are rows: only 0xFE can end them. */
    @Test
    void textResultSetWithDeprecateEof() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        assertEquals(List.of("COLUMN_COUNT", "COLUMN_DEFINITION", "LAST_COLUMN_DEFINITION", "ROW", "ROW", "ROW",
                "TERMINATOR!"), feed(t,
                frame(1, "02                 # column count 2"),
                frame(2, COLUMN_DEF),
                frame(3, COLUMN_DEF),
                frame(4, "01 '1'  00         # row: 1, empty string"),
                frame(5, "00 00              # row: two empty strings"),
                frame(6, "fb 01 '2'          # row: NULL, 2"),
                frame(7, """
                        fe                 # header 0xFE: OK that ends the rows
                        00 00              # affected rows, last insert id
                        22 00              # status: AUTOCOMMIT | NO_INDEX_USED
                        00 00              # warnings
                        """)));
        assertEquals(AUTOCOMMIT | ServerStatus.NO_INDEX_USED, t.statusFlags());
        assertTrue(t.idle());
    }

    @Test
    void textResultSetWithEofPackets() {
        ResponseTracker t = tracker(false, Command.COM_QUERY);
        assertEquals(List.of("COLUMN_COUNT", "COLUMN_DEFINITION", "LAST_COLUMN_DEFINITION", "DEFINITIONS_EOF", "ROW",
                "ROW", "TERMINATOR!"), feed(t,
                frame(1, "02                 # column count 2"),
                frame(2, COLUMN_DEF),
                frame(3, COLUMN_DEF),
                frame(4, eof(AUTOCOMMIT)),
                frame(5, "00 00              # row: two empty strings"),
                frame(6, "fb fb              # row: NULL, NULL"),
                frame(7, eof(ServerStatus.IN_TRANS | AUTOCOMMIT))));
        assertEquals(ServerStatus.IN_TRANS | AUTOCOMMIT, t.statusFlags());
    }

    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void emptyResultSet(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_QUERY);
        List<String> expected = new ArrayList<>(List.of("COLUMN_COUNT", "LAST_COLUMN_DEFINITION"));
        List<ByteBuf> frames = new ArrayList<>(List.of(frame(1, "01"), frame(2, COLUMN_DEF)));
        if (!deprecateEof) {
            expected.add("DEFINITIONS_EOF");
            frames.add(frame(3, eof(AUTOCOMMIT)));
        }
        expected.add("TERMINATOR!");
        frames.add(frame(4, terminator(deprecateEof, AUTOCOMMIT)));
        assertEquals(expected, feed(t, frames.toArray(ByteBuf[]::new)));
    }

    @Test
    void zeroColumnCountIsMalformed() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        assertThrows(MalformedPacketException.class, () -> t.onFrame(frame(1, "fc 00 00  # column count 0")));
    }

    // --- several results ----------------------------------------------------------------------------------------

    /** SELECT 1; SELECT 1; DO 0 -- the first two results end with MORE_RESULTS_EXISTS. */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void multiResult(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_QUERY);
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            kinds.addAll(feed(t, frame(1, "01"), frame(2, COLUMN_DEF)));
            if (!deprecateEof) {
                kinds.addAll(feed(t, frame(3, eof(MORE))));
            }
            kinds.addAll(feed(t, frame(4, "01 '1'"), frame(5, terminator(deprecateEof, MORE))));
            assertEquals(MORE, t.statusFlags());
        }
        kinds.addAll(feed(t, frame(6, OK)));
        String defsEof = deprecateEof ? "" : "DEFINITIONS_EOF,";
        String result = "COLUMN_COUNT,LAST_COLUMN_DEFINITION," + defsEof + "ROW,TERMINATOR,";
        assertEquals(result + result + "OK!", String.join(",", kinds));
        assertEquals(AUTOCOMMIT, t.statusFlags());
    }

    /** INSERT ...; INSERT ... -- two OKs, the first with MORE_RESULTS_EXISTS. */
    @Test
    void multiStatementOks() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        assertEquals(List.of("OK", "OK!"), feed(t, frame(1, OK.replace("02 00", "0a 00")), frame(2, OK)));
    }

    /** CALL p() where p selects once: the result set, then the OK for the CALL itself. */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void callProcedure(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_QUERY);
        List<ByteBuf> frames = new ArrayList<>(List.of(frame(1, "01"), frame(2, COLUMN_DEF)));
        if (!deprecateEof) {
            frames.add(frame(3, eof(MORE)));
        }
        frames.add(frame(4, "01 '1'"));
        frames.add(frame(5, terminator(deprecateEof, MORE)));
        frames.add(frame(6, """
                00 00 00           # OK: header, affected rows, last insert id
                02 00              # status: AUTOCOMMIT (no more results)
                00 00              # warnings
                """));
        List<String> kinds = feed(t, frames.toArray(ByteBuf[]::new));
        assertEquals("OK!", kinds.get(kinds.size() - 1));
        assertEquals("TERMINATOR", kinds.get(kinds.size() - 2));
        assertEquals(1, kinds.stream().filter(k -> k.endsWith("!")).count());
        assertEquals(AUTOCOMMIT, t.statusFlags());
    }

    // --- LOAD DATA LOCAL INFILE ---------------------------------------------------------------------------------

    @Test
    void localInfile() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        assertEquals(List.of("LOCAL_INFILE_REQUEST"), feed(t, frame(1, """
                fb                 # 0xFB as first packet: send this file
                '/tmp/data.csv'    # file name, string<EOF>
                """)));
        assertTrue(t.awaitingLocalInfile());
        assertFalse(t.idle());
        // The server says nothing until the client's empty packet.
        assertThrows(MalformedPacketException.class, () -> t.onFrame(frame(2, OK)));
        t.localInfileSent();
        assertFalse(t.awaitingLocalInfile());
        assertEquals(List.of("OK!"), feed(t, frame(4, """
                00                 # header: OK
                03                 # affected rows 3
                00                 # last insert id
                02 00              # status: AUTOCOMMIT
                00 00              # warnings
                """)));
        assertTrue(t.idle());
        assertThrows(IllegalStateException.class, t::localInfileSent);
    }

    @Test
    void localInfileRefused() {
        ResponseTracker t = tracker(false, Command.COM_QUERY);
        feed(t, frame(1, "fb '/etc/passwd'"));
        t.localInfileSent();
        assertEquals(List.of("ERR!"), feed(t, frame(3, ERR)));
    }

    // --- prepared statements ------------------------------------------------------------------------------------

    @Test
    void prepareWithParamsAndColumnsDeprecateEof() {
        ResponseTracker t = tracker(true, Command.COM_STMT_PREPARE);
        assertEquals(List.of("PREPARE_OK", "COLUMN_DEFINITION", "LAST_COLUMN_DEFINITION", "COLUMN_DEFINITION",
                "LAST_COLUMN_DEFINITION!"), feed(t,
                frame(1, prepareOk(2, 2)), frame(2, PARAM_DEF), frame(3, PARAM_DEF), frame(4, COLUMN_DEF),
                frame(5, COLUMN_DEF)));
    }

    @Test
    void prepareWithParamsAndColumnsEof() {
        ResponseTracker t = tracker(false, Command.COM_STMT_PREPARE);
        assertEquals(List.of("PREPARE_OK", "LAST_COLUMN_DEFINITION", "DEFINITIONS_EOF", "COLUMN_DEFINITION",
                "LAST_COLUMN_DEFINITION", "DEFINITIONS_EOF!"), feed(t,
                frame(1, prepareOk(2, 1)), frame(2, PARAM_DEF), frame(3, eof(AUTOCOMMIT)), frame(4, COLUMN_DEF),
                frame(5, COLUMN_DEF), frame(6, eof(AUTOCOMMIT))));
    }

    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void prepareWithoutParamsOrColumns(boolean deprecateEof) {
        String eof = deprecateEof ? "" : ",DEFINITIONS_EOF";
        // INSERT INTO t VALUES (?, ?): parameters only.
        ResponseTracker t = tracker(deprecateEof, Command.COM_STMT_PREPARE);
        List<ByteBuf> frames = new ArrayList<>(List.of(frame(1, prepareOk(0, 2)), frame(2, PARAM_DEF),
                frame(3, PARAM_DEF)));
        if (!deprecateEof) {
            frames.add(frame(4, eof(AUTOCOMMIT)));
        }
        assertEquals("PREPARE_OK,COLUMN_DEFINITION,LAST_COLUMN_DEFINITION" + eof + "!",
                String.join(",", feed(t, frames.toArray(ByteBuf[]::new))));

        // SELECT 1: columns only.
        t.expect(Command.COM_STMT_PREPARE);
        frames = new ArrayList<>(List.of(frame(1, prepareOk(1, 0)), frame(2, COLUMN_DEF)));
        if (!deprecateEof) {
            frames.add(frame(3, eof(AUTOCOMMIT)));
        }
        assertEquals("PREPARE_OK,LAST_COLUMN_DEFINITION" + eof + "!",
                String.join(",", feed(t, frames.toArray(ByteBuf[]::new))));

        // DO 1: neither.
        t.expect(Command.COM_STMT_PREPARE);
        assertEquals(List.of("PREPARE_OK!"), feed(t, frame(1, prepareOk(0, 0))));
        assertTrue(t.idle());
    }

    /** COM_STMT_PREPARE_OK cut anywhere before its parameter count is malformed (it was read past the frame). */
    @Test
    void truncatedPrepareOkIsMalformed() {
        byte[] whole = hex(prepareOk(1, 1));
        for (int length = 1; length < 9; length++) {
            ByteBuf cut = frame(1, Arrays.copyOf(whole, length));
            ResponseTracker t = tracker(true, Command.COM_STMT_PREPARE);
            assertThrows(MalformedPacketException.class, () -> t.onFrame(cut), length + " bytes");
        }
    }

    @Test
    void prepareRefused() {
        ResponseTracker t = tracker(true, Command.COM_STMT_PREPARE);
        assertEquals(List.of("ERR!"), feed(t, frame(1, ERR)));
    }

    /** Binary rows start with 0x00; none of them is an OK, however much it looks like one. */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void executeWithBinaryRows(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_STMT_EXECUTE);
        List<ByteBuf> frames = new ArrayList<>(List.of(frame(1, "01  # column count"), frame(2, COLUMN_DEF)));
        if (!deprecateEof) {
            frames.add(frame(3, eof(AUTOCOMMIT)));
        }
        frames.add(frame(4, """
                00                       # binary row header
                00                       # NULL bitmap
                01 00 00 00 00 00 00 00  # LONGLONG 1
                """));
        frames.add(frame(5, """
                00                       # binary row header
                04                       # NULL bitmap: column 0 is NULL (bit offset 2)
                """));
        frames.add(frame(6, """
                00 00 00                 # a row that reads like an OK's header, rows and id
                02 00 00 00              # and its status and warnings
                """));
        frames.add(frame(7, terminator(deprecateEof, AUTOCOMMIT)));
        String eof = deprecateEof ? "" : "DEFINITIONS_EOF,";
        assertEquals("COLUMN_COUNT,LAST_COLUMN_DEFINITION," + eof + "ROW,ROW,ROW,TERMINATOR!",
                String.join(",", feed(t, frames.toArray(ByteBuf[]::new))));
    }

    @Test
    void executeWithoutResultSet() {
        ResponseTracker t = tracker(true, Command.COM_STMT_EXECUTE);
        assertEquals(List.of("OK!"), feed(t, frame(1, OK)));
    }

    /** A cursor opened by COM_STMT_EXECUTE: no rows until COM_STMT_FETCH, which ends with an EOF. */
    @Test
    void executeWithCursorThenFetch() {
        ResponseTracker t = new ResponseTracker(false);
        t.expect(Command.COM_STMT_EXECUTE, true);
        int cursor = ServerStatus.CURSOR_EXISTS | AUTOCOMMIT;
        assertEquals(List.of("COLUMN_COUNT", "LAST_COLUMN_DEFINITION", "DEFINITIONS_EOF!"),
                feed(t, frame(1, "01"), frame(2, COLUMN_DEF), frame(3, eof(cursor))));
        assertEquals(cursor, t.statusFlags());

        t.expect(Command.COM_STMT_FETCH);
        assertEquals(List.of("ROW", "ROW", "TERMINATOR!"), feed(t,
                frame(1, "00 00 01 00 00 00 00 00 00 00  # binary row: 1"),
                frame(2, "00 00 02 00 00 00 00 00 00 00  # binary row: 2"),
                frame(3, eof(cursor))));

        t.expect(Command.COM_STMT_FETCH);
        assertEquals(List.of("ROW", "TERMINATOR!"), feed(t,
                frame(1, "00 00 03 00 00 00 00 00 00 00  # binary row: 3"),
                frame(2, eof(cursor | ServerStatus.LAST_ROW_SENT))));
        assertEquals(cursor | ServerStatus.LAST_ROW_SENT, t.statusFlags());
    }

    /**
     * The same under CLIENT_DEPRECATE_EOF, as MariaDB 10.11 sent it for {@code SELECT seq, 'x' FROM seq_1_to_10
     * WHERE seq > 100} with CURSOR_TYPE_READ_ONLY: the definitions end with a 0xFE OK carrying CURSOR_EXISTS, which
     * stands where the definitions' EOF would (a client without the flag must get one EOF, not two).
     */
    @Test
    void executeWithCursorDeprecateEof() {
        ResponseTracker t = new ResponseTracker(true);
        t.expect(Command.COM_STMT_EXECUTE, true);
        assertTrue(t.cursorRequested());
        assertEquals(List.of("COLUMN_COUNT", "COLUMN_DEFINITION", "LAST_COLUMN_DEFINITION", "DEFINITIONS_EOF!"),
                feed(t, frame(1, CURSOR_COLUMN_COUNT), frame(2, CURSOR_SEQ_DEF), frame(3, CURSOR_X_DEF),
                        frame(4, """
                                fe                 # header 0xFE: OK in place of the definitions' EOF
                                00 00              # affected rows, last insert id
                                42 00              # status: CURSOR_EXISTS | AUTOCOMMIT
                                00 00              # warnings
                                """)));
        assertEquals(ServerStatus.CURSOR_EXISTS | AUTOCOMMIT, t.statusFlags());
        assertTrue(t.idle());

        // The cursor is empty: the first fetch ends it at once.
        t.expect(Command.COM_STMT_FETCH);
        assertEquals(List.of("TERMINATOR!"), feed(t, frame(1, """
                fe 00 00           # OK (0xFE), affected rows, last insert id
                82 00              # status: LAST_ROW_SENT | AUTOCOMMIT
                00 00              # warnings
                """)));
        assertEquals(ServerStatus.LAST_ROW_SENT | AUTOCOMMIT, t.statusFlags());
    }

    /**
     * A cursor asked for but not opened (the statement has none, SHOW say): a 0xFE OK right after the definitions
     * without CURSOR_EXISTS ends an empty result set, as for COM_QUERY.
     */
    @ParameterizedTest(name = "cursor={0}")
    @ValueSource(booleans = {true, false})
    void executeWithEmptyResultSetDeprecateEof(boolean cursor) {
        ResponseTracker t = new ResponseTracker(true);
        t.expect(Command.COM_STMT_EXECUTE, cursor);
        assertEquals(List.of("COLUMN_COUNT", "COLUMN_DEFINITION", "LAST_COLUMN_DEFINITION", "TERMINATOR!"),
                feed(t, frame(1, CURSOR_COLUMN_COUNT), frame(2, CURSOR_SEQ_DEF), frame(3, CURSOR_X_DEF),
                        frame(4, terminator(true, AUTOCOMMIT))));
        assertTrue(t.idle());
        assertFalse(t.cursorRequested());
    }

    /**
     * A cursor that could not be opened ({@code SELECT 1 < (SELECT a FROM t)} on two rows, MariaDB 10.11): the
     * definitions, then an ERR where their EOF would be, with or without CLIENT_DEPRECATE_EOF.
     */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void executeWithCursorThatFailsToOpen(boolean deprecateEof) {
        ResponseTracker t = new ResponseTracker(deprecateEof);
        t.expect(Command.COM_STMT_EXECUTE, true);
        t.expect(Command.COM_QUERY);
        assertEquals(List.of("COLUMN_COUNT", "LAST_COLUMN_DEFINITION", "ERR!"), feed(t,
                frame(1, "01"), frame(2, COLUMN_DEF), frame(3, """
                        ff                 # header: ERR
                        da 04              # error code 1242 (ER_SUBQUERY_NO_1_ROW)
                        23 '21000'         # SQL state
                        'Subquery returns more than 1 row'
                        """)));
        assertFalse(t.cursorRequested(), "the next response asked for none");
        assertEquals(List.of("OK!"), feed(t, frame(1, OK)));
    }

    @Test
    void fetchWithDeprecateEof() {
        ResponseTracker t = tracker(true, Command.COM_STMT_FETCH);
        assertEquals(List.of("ROW", "TERMINATOR!"), feed(t,
                frame(1, "00 00 01 00 00 00 00 00 00 00  # binary row: 1"),
                frame(2, terminator(true, ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT | AUTOCOMMIT))));
        assertEquals(ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT | AUTOCOMMIT, t.statusFlags());
    }

    @Test
    void fetchRefused() {
        ResponseTracker t = tracker(true, Command.COM_STMT_FETCH);
        assertEquals(List.of("ERR!"), feed(t, frame(1, ERR)));
    }

    // --- other commands -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void fieldList(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_FIELD_LIST);
        assertEquals(List.of("COLUMN_DEFINITION", "COLUMN_DEFINITION", "TERMINATOR!"), feed(t,
                frame(1, COLUMN_DEF), frame(2, COLUMN_DEF), frame(3, terminator(deprecateEof, AUTOCOMMIT))));
        t.expect(Command.COM_FIELD_LIST);
        assertEquals(List.of("ERR!"), feed(t, frame(1, ERR)));
    }

    @Test
    void statistics() {
        ResponseTracker t = tracker(true, Command.COM_STATISTICS);
        assertEquals(List.of("OTHER!"), feed(t, frame(1, """
                'Uptime: 1234  Threads: 1  Questions: 5  Slow queries: 0  Opens: 17'  # string<EOF>
                """)));
        assertEquals(AUTOCOMMIT, t.statusFlags());
    }

    /** COM_SET_OPTION is answered with an EOF packet, whichever CLIENT_DEPRECATE_EOF says. */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void setOption(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_SET_OPTION);
        assertEquals(List.of("TERMINATOR!"), feed(t, frame(1, eof(ServerStatus.IN_TRANS | AUTOCOMMIT))));
        assertEquals(ServerStatus.IN_TRANS | AUTOCOMMIT, t.statusFlags());
    }

    // --- packets of 16 MB and more ------------------------------------------------------------------------------

    /**
     * A row whose first value is 16 MB or longer starts with 0xFE (its 8-byte length) and fills a whole frame. Its
     * continuation frame here reads exactly like a terminator, and must not be taken for one either.
     */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void rowStartingWithFeOf16MbIsARowAndItsContinuation(boolean deprecateEof) {
        ResponseTracker t = tracker(deprecateEof, Command.COM_QUERY);
        List<ByteBuf> frames = new ArrayList<>(List.of(frame(1, "01"), frame(2, COLUMN_DEF)));
        if (!deprecateEof) {
            frames.add(frame(3, eof(AUTOCOMMIT)));
        }
        frames.add(fullFrame(4, 0xfe));
        frames.add(frame(5, terminator(deprecateEof, AUTOCOMMIT)));
        frames.add(frame(6, terminator(deprecateEof, AUTOCOMMIT)));
        String eof = deprecateEof ? "" : "DEFINITIONS_EOF,";
        assertEquals("COLUMN_COUNT,LAST_COLUMN_DEFINITION," + eof + "ROW,CONTINUATION,TERMINATOR!",
                String.join(",", feed(t, frames.toArray(ByteBuf[]::new))));
    }

    /** A row of exactly two full frames ends with an empty frame. */
    @Test
    void rowOfAnExactMultipleOf16MbEndsWithAnEmptyFrame() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        ByteBuf full = fullFrame(4, 0xfe);
        assertEquals(List.of("COLUMN_COUNT", "LAST_COLUMN_DEFINITION", "ROW", "CONTINUATION", "CONTINUATION",
                "ROW", "TERMINATOR!"), feed(t, frame(1, "01"), frame(2, COLUMN_DEF), full, full.duplicate(),
                frame(6, ""), frame(7, "01 '1'"), frame(8, terminator(true, AUTOCOMMIT))));
    }

    /** A response whose last packet is 16 MB or more ends with that packet's last frame, not its first. */
    @Test
    void singlePacketResponseOf16MbCompletesOnItsLastFrame() {
        ResponseTracker t = tracker(true, Command.COM_STATISTICS);
        t.expect(Command.COM_PING);
        assertEquals(List.of("OTHER", "CONTINUATION!", "OK!"),
                feed(t, fullFrame(1, 'U'), frame(2, "'ptime'"), frame(1, OK)));
    }

    // --- streamed frames (PacketFrameDecoder#streamLargeFrames) --------------------------------------------------

    /** A 100 KB row comes as its head and chunks; the rows go on after its last chunk. */
    @Test
    void streamedRowIsOneRowAndTheResponseGoesOnAfterItsLastChunk() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        assertEquals(List.of("COLUMN_COUNT", "LAST_COLUMN_DEFINITION", "ROW"),
                feed(t, frame(1, "01"), frame(2, COLUMN_DEF), head(3, 100_000, "fd a0 86 01  # 3-byte length 100,000")));
        assertEquals(List.of("chunk", "chunk"), chunks(t, false, true));
        assertEquals(List.of("ROW", "TERMINATOR!"), feed(t, frame(4, "01 '1'"), frame(5, terminator(true, AUTOCOMMIT))));
    }

    /** A streamed last packet: the response is complete at its last chunk, not at its head. */
    @Test
    void responseEndingInAStreamedPacketCompletesOnItsLastChunk() {
        ResponseTracker t = tracker(true, Command.COM_STATISTICS);
        t.expect(Command.COM_PING);
        assertEquals(List.of("OTHER"), feed(t, head(1, 70_000, "'Uptime: 1'")));
        assertEquals(List.of("chunk", "chunk!"), chunks(t, false, true));
        assertEquals(List.of("OK!"), feed(t, frame(1, OK)));
    }

    /** A 16 MB + 7 packet, its full frame and its continuation both streamed, completes at the very end. */
    @Test
    void streamedFullFrameAndStreamedContinuationCompleteAtTheLastChunk() {
        ResponseTracker t = tracker(false, Command.COM_STATISTICS);
        assertEquals(List.of("OTHER"), feed(t, head(1, Packets.MAX_PAYLOAD, "'U'")));
        assertEquals(List.of("chunk", "chunk"), chunks(t, false, true));
        assertEquals(List.of("CONTINUATION"), feed(t, head(2, 70_007, "'ptime'")));
        assertEquals(List.of("chunk!"), chunks(t, true));
        assertTrue(t.idle());
    }

    /** An OK too large to hold (session-state data past 64 KB): its status comes from the head. */
    @Test
    void streamedOkIsReadFromItsHead() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        assertEquals(List.of("OK"), feed(t, head(1, 80_000, OK.replace("02 00", "03 40  # IN_TRANS | SESSION_STATE_CHANGED"))));
        assertEquals(ServerStatus.IN_TRANS | AUTOCOMMIT | ServerStatus.SESSION_STATE_CHANGED, t.statusFlags());
        assertEquals(List.of("chunk!"), chunks(t, true));
    }

    @Test
    void chunksOutsideAStreamedFrameAreRefused() {
        ResponseTracker t = tracker(true, Command.COM_QUERY);
        assertThrows(IllegalStateException.class, () -> t.onChunk(true));
        feed(t, head(1, 70_000, "01"));
        assertThrows(IllegalStateException.class, () -> t.onFrame(frame(2, COLUMN_DEF)));
    }

    // --- pipelining and misuse ----------------------------------------------------------------------------------

    @Test
    void pipelinedResponsesBackToBack() {
        ResponseTracker t = new ResponseTracker(true);
        assertTrue(t.idle());
        t.expect(Command.COM_QUERY);
        t.expect(Command.COM_PING);
        t.expect(Command.COM_QUERY);
        assertEquals(3, t.outstanding());
        assertEquals(Command.COM_QUERY, t.currentCommand());

        assertEquals(List.of("COLUMN_COUNT", "LAST_COLUMN_DEFINITION", "ROW", "TERMINATOR!"), feed(t,
                frame(1, "01"), frame(2, COLUMN_DEF), frame(3, "01 '1'"), frame(4, terminator(true, AUTOCOMMIT))));
        assertEquals(2, t.outstanding());
        assertEquals(Command.COM_PING, t.currentCommand());

        assertEquals(List.of("OK!"), feed(t, frame(1, OK.replace("02 00", "03 00"))));
        assertEquals(ServerStatus.IN_TRANS | AUTOCOMMIT, t.statusFlags());
        assertEquals(Command.COM_QUERY, t.currentCommand());

        assertEquals(List.of("ERR!"), feed(t, frame(1, ERR)));
        assertEquals(0, t.outstanding());
        assertTrue(t.idle());
        assertEquals(-1, t.currentCommand());
    }

    @Test
    void twoQueriesPipelined() {
        ResponseTracker t = new ResponseTracker(false);
        t.expect(Command.COM_QUERY);
        t.expect(Command.COM_QUERY);
        assertEquals(List.of("OK!", "COLUMN_COUNT", "LAST_COLUMN_DEFINITION", "DEFINITIONS_EOF", "TERMINATOR!"),
                feed(t, frame(1, OK), frame(1, "01"), frame(2, COLUMN_DEF), frame(3, eof(AUTOCOMMIT)),
                        frame(4, eof(AUTOCOMMIT))));
    }

    @Test
    void packetWhenNothingIsExpectedIsMalformed() {
        ResponseTracker t = new ResponseTracker(true);
        assertThrows(MalformedPacketException.class, () -> t.onFrame(frame(1, OK)));
        t.expect(Command.COM_PING);
        feed(t, frame(1, OK));
        assertThrows(MalformedPacketException.class, () -> t.onFrame(frame(2, OK)));
    }

    @Test
    void definitionsNotFollowedByEofAreMalformed() {
        ResponseTracker t = tracker(false, Command.COM_QUERY);
        feed(t, frame(1, "01"), frame(2, COLUMN_DEF));
        assertThrows(MalformedPacketException.class, () -> t.onFrame(frame(3, "01 '1'")));
    }

    /** An EOF cut before its status flags is malformed wherever it stands (it was read past the frame's end). */
    @Test
    void eofShorterThanItsStatusIsMalformed() {
        ResponseTracker definitions = tracker(false, Command.COM_QUERY);
        feed(definitions, frame(1, "01"), frame(2, COLUMN_DEF));
        assertThrows(MalformedPacketException.class,
                () -> definitions.onFrame(frame(3, "fe 00 00 02  # EOF without the last byte of its status")));
        ResponseTracker fieldList = tracker(false, Command.COM_FIELD_LIST);
        assertThrows(MalformedPacketException.class, () -> fieldList.onFrame(frame(1, "fe 00 00  # EOF, warnings")));
        ResponseTracker setOption = tracker(false, Command.COM_SET_OPTION);
        assertThrows(MalformedPacketException.class, () -> setOption.onFrame(frame(1, "fe  # EOF header alone")));
    }

    @Test
    void commandsWithoutResponse() {
        assertFalse(ResponseTracker.hasResponse(Command.COM_STMT_CLOSE));
        assertFalse(ResponseTracker.hasResponse(Command.COM_STMT_SEND_LONG_DATA));
        assertFalse(ResponseTracker.hasResponse(Command.COM_QUIT));
        assertTrue(ResponseTracker.hasResponse(Command.COM_QUERY));
        assertTrue(ResponseTracker.hasResponse(Command.COM_STMT_FETCH));
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static ResponseTracker tracker(boolean deprecateEof, int command) {
        ResponseTracker t = new ResponseTracker(deprecateEof);
        t.expect(command);
        return t;
    }

    /** Feeds frames and records each kind, marked with ! when the response was complete after it. */
    private static List<String> feed(ResponseTracker t, ByteBuf... frames) {
        List<String> kinds = new ArrayList<>();
        for (ByteBuf frame : frames) {
            int readerIndex = frame.readerIndex();
            PacketKind kind = t.onFrame(frame);
            assertEquals(readerIndex, frame.readerIndex(), "the tracker must not consume the frame");
            kinds.add(kind + (t.responseComplete() ? "!" : ""));
        }
        return kinds;
    }

    /** Passes chunks of the streamed frame being read, recording "chunk", with ! when the response was complete. */
    private static List<String> chunks(ResponseTracker t, boolean... last) {
        List<String> kinds = new ArrayList<>();
        for (boolean l : last) {
            t.onChunk(l);
            kinds.add("chunk" + (t.responseComplete() ? "!" : ""));
        }
        return kinds;
    }

    /** The head of a streamed frame: a header naming {@code payloadLength} bytes, and only the first of them. */
    private static ByteBuf head(int sequenceId, int payloadLength, String goldenStart) {
        byte[] start = hex(goldenStart);
        ByteBuf head = Unpooled.buffer(Packets.HEADER_SIZE + start.length);
        head.writeMediumLE(payloadLength).writeByte(sequenceId).writeBytes(start);
        assertTrue(Packets.isPartial(head));
        return head;
    }

    /** EOF_Packet. */
    static String eof(int status) {
        return "fe  # EOF\n00 00  # warnings\n" + le16(status) + "  # status\n";
    }

    /** What ends rows: an OK with header 0xFE under CLIENT_DEPRECATE_EOF, else an EOF. */
    static String terminator(boolean deprecateEof, int status) {
        return deprecateEof
                ? "fe  # OK, 0xFE form\n00 00  # affected rows, last insert id\n" + le16(status)
                        + "  # status\n00 00  # warnings\n"
                : eof(status);
    }

    /** COM_STMT_PREPARE_OK. */
    static String prepareOk(int columns, int params) {
        return "00  # OK\n01 00 00 00  # statement id 1\n" + le16(columns) + "  # columns\n" + le16(params)
                + "  # params\n00  # filler\n00 00  # warnings\n";
    }

    private static String le16(int value) {
        return String.format("%02x %02x", value & 0xff, value >> 8 & 0xff);
    }

    /** A frame with a full 0xFFFFFF-byte payload starting with {@code first}. */
    private static ByteBuf fullFrame(int sequenceId, int first) {
        ByteBuf frame = Unpooled.buffer(Packets.HEADER_SIZE + Packets.MAX_PAYLOAD);
        frame.writeMediumLE(Packets.MAX_PAYLOAD).writeByte(sequenceId).writeByte(first);
        frame.writeZero(Packets.MAX_PAYLOAD - 1);
        return frame;
    }
}
