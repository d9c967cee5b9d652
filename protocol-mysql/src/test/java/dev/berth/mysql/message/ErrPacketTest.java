package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrPacketTest {
    static final String NO_SUCH_TABLE = """
            ff                 # header: ERR
            7a 04              # error code 1146 (ER_NO_SUCH_TABLE)
            23                 # SQL state marker
            '42S02'            # SQL state
            'Table shop.nope is missing'  # message, string<EOF>
            """;

    @Test
    void decodesAndEncodesGoldenBytes() {
        ErrPacket err = ErrPacket.decode(payload(NO_SUCH_TABLE));
        assertEquals(1146, err.code());
        assertEquals("42S02", err.sqlState());
        assertEquals("Table shop.nope is missing", err.message());
        ByteBuf out = Unpooled.buffer();
        err.encode(out);
        assertArrayEquals(hex(NO_SUCH_TABLE), bytes(out));
    }

    /** Before the client's capabilities are known a server may leave the SQL state out. */
    @Test
    void withoutSqlStateMarkerTheStateIsHy000() {
        ErrPacket err = ErrPacket.decode(payload("""
                ff                 # header: ERR
                15 04              # error code 1045 (ER_ACCESS_DENIED_ERROR)
                'Access denied'    # message, no marker
                """));
        assertEquals(1045, err.code());
        assertEquals("HY000", err.sqlState());
        assertEquals("Access denied", err.message());
    }

    @Test
    void utf8Message() {
        ErrPacket err = new ErrPacket(1064, "42000", "près de «x»");
        ByteBuf out = Unpooled.buffer();
        err.encode(out);
        assertEquals(err, ErrPacket.decode(out));
    }

    /** Cut before the code, or inside the SQL state after its marker, is malformed. */
    @Test
    void truncatedBeforeTheMessageIsMalformed() {
        byte[] whole = hex(NO_SUCH_TABLE);
        Truncation.assertMalformedBelow(whole, 3, ErrPacket::decode);
        for (int length = 4; length < 9; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThrows(MalformedPacketException.class, () -> ErrPacket.decode(Unpooled.wrappedBuffer(cut)),
                    "prefix of " + length);
        }
        // Three bytes are a whole ERR: no SQL state marker, an empty message.
        assertEquals(new ErrPacket(1146, "HY000", ""), ErrPacket.decode(Unpooled.wrappedBuffer(whole, 0, 3)));
    }
}
