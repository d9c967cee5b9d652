package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextResultSetTest {
    private static final long PROTOCOL_41 = Capabilities.CLIENT_PROTOCOL_41;
    private static final long DEPRECATE_EOF = PROTOCOL_41 | Capabilities.CLIENT_DEPRECATE_EOF;

    /** Column {@code c}, no table, utf8mb4, at most one character. */
    private static final String COLUMN_C = """
            18 00 00 02        # 24 bytes, sequence 2
            03 'def'           # catalog
            00                 # schema: none
            00 00              # table, org_table: none
            01 'c' 01 'c'      # name, org_name
            0c                 # length of the fixed fields
            2d 00              # character set 45 (utf8mb4_general_ci)
            04 00 00 00        # column length 4: one utf8mb4 character
            fd                 # MYSQL_TYPE_VAR_STRING
            00 00              # flags
            1f                 # decimals: not fixed
            00 00              # filler
            """;

    @Test
    void oneRowWithEofs() {
        assertEncodes(PROTOCOL_41, "v", """
                01 00 00 01  01              # column count 1
                """ + COLUMN_C + """
                05 00 00 03  fe 00 00 02 00  # EOF: no warnings, AUTOCOMMIT
                02 00 00 04  01 'v'          # row: 'v'
                05 00 00 05  fe 00 00 02 00  # EOF
                """);
    }

    @Test
    void oneRowUnderDeprecateEof() {
        assertEncodes(DEPRECATE_EOF, "v", """
                01 00 00 01  01              # column count 1
                """ + COLUMN_C + """
                02 00 00 03  01 'v'          # row: 'v', right after the columns
                07 00 00 04  fe 00 00 02 00 00 00  # OK with the EOF header: 0 rows affected, 0 id, AUTOCOMMIT, 0 warnings
                """);
    }

    @Test
    void nullValue() {
        assertEncodes(PROTOCOL_41, null, """
                01 00 00 01  01              # column count 1
                """ + COLUMN_C.replace("04 00 00 00", "04 00 00 00  # (at least one character)") + """
                05 00 00 03  fe 00 00 02 00  # EOF
                01 00 00 04  fb              # row: NULL
                05 00 00 05  fe 00 00 02 00  # EOF
                """);
    }

    @Test
    void columnLengthIsTheLongestValueInUtf8mb4() {
        TextResultSet result = TextResultSet.ofStrings("pools", List.of("name", "state"),
                List.of(List.of("app", "running"), Arrays.asList("äöü€", null)));
        assertEquals(16, result.columns().get(0).columnLength());
        assertEquals(28, result.columns().get(1).columnLength());
        assertEquals("pools", result.columns().get(0).table());
    }

    @Test
    void aRowOfTheWrongWidthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TextResultSet.ofStrings("", List.of("a", "b"),
                List.of(List.of("1"))));
    }

    private static void assertEncodes(long capabilities, String value, String golden) {
        TextResultSet result = TextResultSet.ofStrings("", List.of("c"), List.of(Arrays.asList(value)));
        ByteBuf out = Unpooled.buffer();
        int next = result.encode(out, 1, capabilities, ServerStatus.AUTOCOMMIT);
        byte[] expected = hex(golden);
        assertArrayEquals(expected, bytes(out));
        assertEquals(Capabilities.has(capabilities, Capabilities.CLIENT_DEPRECATE_EOF) ? 5 : 6, next);
    }
}
