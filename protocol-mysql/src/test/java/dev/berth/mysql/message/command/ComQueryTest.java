package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static dev.berth.mysql.Records.assertRecordEquals;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.message.Truncation;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ComQueryTest {
    private static final long PROTOCOL_41 = Capabilities.CLIENT_PROTOCOL_41;
    private static final long QUERY_ATTRIBUTES = PROTOCOL_41 | Capabilities.CLIENT_QUERY_ATTRIBUTES;

    /** The mariadb CLI (10.11.19) right after logging in to MariaDB 10.11, captured through a relay. */
    static final String CLI_QUERY = """
            03                            # command: COM_QUERY
            'select @@version_comment'    # query: the rest of the packet
            """;

    /** The example of MySQL's COM_QUERY page: one query attribute (MariaDB has no CLIENT_QUERY_ATTRIBUTES). */
    static final String WITH_ATTRIBUTE = """
            03          # command: COM_QUERY
            01          # parameter_count 1 (lenenc)
            01          # parameter_set_count 1 (lenenc)
            00          # null_bitmap: the parameter is not NULL
            01          # new_params_bind_flag: types and names follow
            fe 00       # param_type_and_flag: MYSQL_TYPE_STRING, signed
            01 'a'      # parameter name (lenenc)
            01 '1'      # value: a length-encoded string
            'select @@version_comment limit 1'  # query
            """;

    /** Made by hand from the same page: fixed-size, NULL and length-encoded values. */
    static final String WITH_ATTRIBUTES = """
            03             # command: COM_QUERY
            03             # parameter_count 3
            01             # parameter_set_count 1
            02             # null_bitmap: the second parameter is NULL
            01             # new_params_bind_flag
            08 80 02 'id'  # MYSQL_TYPE_LONGLONG, unsigned flag 0x80 in the second byte; name
            0f 00 03 'tag' # MYSQL_TYPE_VARCHAR; name (NULL, so no value below)
            0c 00 02 'ts'  # MYSQL_TYPE_DATETIME; name
            2a 00 00 00 00 00 00 00  # id: int<8> 42
            07 e9 07 05 11 0a 1e 00  # ts: 7 bytes follow, 2025-05-17 10:30:00
            'SELECT 1'     # query
            """;

    @Test
    void decodesARealQuery() {
        ComQuery query = ComQuery.decode(payload(CLI_QUERY), PROTOCOL_41);
        assertEquals("select @@version_comment", query.sql());
        assertArrayEquals(new byte[0], query.queryAttributes());
        ByteBuf out = Unpooled.buffer();
        query.encode(out);
        assertArrayEquals(hex(CLI_QUERY), bytes(out));
    }

    @Test
    void findsTheSqlAfterQueryAttributes() {
        ComQuery query = ComQuery.decode(payload(WITH_ATTRIBUTE), QUERY_ATTRIBUTES);
        assertEquals("select @@version_comment limit 1", query.sql());
        assertArrayEquals(hex("01 01 00 01 fe 00 01 'a' 01 '1'"), query.queryAttributes());
        ByteBuf out = Unpooled.buffer();
        query.encode(out);
        assertArrayEquals(hex(WITH_ATTRIBUTE), bytes(out));

        assertEquals("SELECT 1", ComQuery.decode(payload(WITH_ATTRIBUTES), QUERY_ATTRIBUTES).sql());
    }

    @Test
    void withoutAttributesTheHeaderIsTwoCounts() {
        ComQuery query = ComQuery.decode(payload("03 00 01 'SELECT 1'"), QUERY_ATTRIBUTES);
        assertArrayEquals(hex("00 01"), query.queryAttributes());
        assertEquals("SELECT 1", query.sql());
    }

    /** The capability decides: without it the same bytes are all SQL. */
    @Test
    void withoutTheCapabilityEverythingIsSql() {
        ComQuery query = ComQuery.decode(payload(WITH_ATTRIBUTE), PROTOCOL_41);
        assertArrayEquals(new byte[0], query.queryAttributes());
        byte[] whole = hex(WITH_ATTRIBUTE);
        assertArrayEquals(Arrays.copyOfRange(whole, 1, whole.length), query.query());
    }

    /** The server reads a YEAR attribute as a length-encoded string, not as the binary protocol's int&lt;2&gt;. */
    @Test
    void aYearAttributeIsLengthEncodedAsTheServerReadsIt() {
        ComQuery query = ComQuery.decode(payload("""
                03 01 01 00 01  # one attribute, not NULL, types follow
                0d 00 01 'y'    # MYSQL_TYPE_YEAR, name
                02 e9 07        # value: 2 bytes follow (2025)
                'SELECT 1'      # query
                """), QUERY_ATTRIBUTES);
        assertEquals("SELECT 1", query.sql());
    }

    @Test
    void theSqlInAnotherCharacterSet() {
        ComQuery query = ComQuery.decode(payload("03 'SELECT ' 27 e9 27"), PROTOCOL_41);
        assertEquals("SELECT 'é'", query.sql(ISO_8859_1));
    }

    @Test
    void truncatedInsideTheAttributesIsMalformed() {
        Truncation.assertMalformedBelow(hex(CLI_QUERY), 1, buf -> ComQuery.decode(buf, PROTOCOL_41));
        Truncation.assertMalformedBelow(hex(WITH_ATTRIBUTE), 11, buf -> ComQuery.decode(buf, QUERY_ATTRIBUTES));
        Truncation.assertMalformedBelow(hex(WITH_ATTRIBUTES), hex(WITH_ATTRIBUTES).length - "SELECT 1".length(),
                buf -> ComQuery.decode(buf, QUERY_ATTRIBUTES));
    }

    @Test
    void badAttributesAreMalformed() {
        for (String bad : new String[] {
                "03 01 02 00 01 fe 00 01 'a' 01 '1' 'SELECT 1'",   // two parameter sets
                "03 01 01 00 00 'SELECT 1'",                     // new_params_bind_flag 0: no types
                "03 01 01 00 01 f4 00 01 'b' 01 'SELECT 1'",     // MYSQL_TYPE_BOOL, which servers refuse
                "03 fd 00 00 01 01 'SELECT 1'",                  // 65536 parameters
                "03 01 01 00 01 fe 00 01 'a' 09 'ab'",           // a value overrunning the packet
        }) {
            assertThrows(MalformedPacketException.class, () -> ComQuery.decode(payload(bad), QUERY_ATTRIBUTES), bad);
        }
        assertThrows(MalformedPacketException.class, () -> ComQuery.decode(payload("16 'SELECT 1'"), PROTOCOL_41));
    }

    @Test
    void roundTrips() {
        ComQuery plain = new ComQuery(new byte[0], "SELECT 1".getBytes(ISO_8859_1));
        ByteBuf out = Unpooled.buffer();
        plain.encode(out);
        assertRecordEquals(plain, ComQuery.decode(out, PROTOCOL_41));

        ComQuery attributed = ComQuery.decode(payload(WITH_ATTRIBUTES), QUERY_ATTRIBUTES);
        out = Unpooled.buffer();
        attributed.encode(out);
        assertRecordEquals(attributed, ComQuery.decode(out, QUERY_ATTRIBUTES));
    }
}
