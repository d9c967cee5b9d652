package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OkPacketTest {
    private static final long PROTOCOL_41 = Capabilities.CLIENT_PROTOCOL_41;
    private static final long SESSION_TRACK = Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SESSION_TRACK;

    /**
     * An UPDATE's OK as a client without CLIENT_SESSION_TRACK gets it. The documentation says string&lt;EOF&gt;, but
     * servers write the info length-encoded there too (see {@link OkPacket}).
     */
    static final String UPDATE_OK = """
            00                 # header: OK
            01                 # affected rows 1 (lenenc)
            00                 # last insert id 0 (lenenc)
            03 00              # status: IN_TRANS | AUTOCOMMIT
            01 00              # warnings 1
            28                 # info: 40 bytes (lenenc)
            'Rows matched: 1  Changed: 1  Warnings: 1'
            """;

    /**
     * {@code USE shop} with CLIENT_SESSION_TRACK, session_track_schema and session_track_state_change on, as MariaDB
     * 10.11 sends it.
     */
    static final String USE_SHOP_OK = """
            00                 # header: OK
            00                 # affected rows 0
            00                 # last insert id 0
            02 40              # status: AUTOCOMMIT | SESSION_STATE_CHANGED (0x4002)
            00 00              # warnings 0
            00                 # info: empty lenenc string
            0a                 # session state info: 10 bytes
            01                 #   type SESSION_TRACK_SCHEMA
            05                 #   its data: 5 bytes
            04 'shop'          #     the new schema, lenenc
            02                 #   type SESSION_TRACK_STATE_CHANGE
            01                 #   its data: 1 byte
            '1'                #     state changed (the character itself, not lenenc)
            """;

    @Test
    void withoutSessionTrackInfoIsLengthEncodedToo() {
        OkPacket ok = OkPacket.decode(payload(UPDATE_OK), PROTOCOL_41);
        assertEquals(0x00, ok.header());
        assertEquals(1, ok.affectedRows());
        assertEquals(0, ok.lastInsertId());
        assertEquals(ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT, ok.statusFlags());
        assertEquals(1, ok.warnings());
        assertArrayEquals("Rows matched: 1  Changed: 1  Warnings: 1".getBytes(US_ASCII), ok.info());
        assertNull(ok.sessionState());

        ByteBuf out = Unpooled.buffer();
        ok.encode(out, PROTOCOL_41);
        assertArrayEquals(hex(UPDATE_OK), bytes(out));
    }

    @Test
    void largeAffectedRowsAndInsertId() {
        OkPacket ok = OkPacket.decode(payload("""
                00                   # header: OK
                fd 40 42 0f          # affected rows 1000000 (3-byte lenenc)
                fc e8 03             # last insert id 1000 (2-byte lenenc)
                02 00                # status: AUTOCOMMIT
                00 00                # warnings
                """), PROTOCOL_41);
        assertEquals(1_000_000, ok.affectedRows());
        assertEquals(1000, ok.lastInsertId());
        assertEquals(ServerStatus.AUTOCOMMIT, ok.statusFlags());
    }

    @Test
    void withSessionTrackTheSchemaChangeIsReadable() {
        ByteBuf payload = payload(USE_SHOP_OK);
        OkPacket ok = OkPacket.decode(payload, SESSION_TRACK);
        assertFalse(payload.isReadable());
        assertEquals(ServerStatus.AUTOCOMMIT | ServerStatus.SESSION_STATE_CHANGED, ok.statusFlags());
        assertArrayEquals(new byte[0], ok.info());
        assertArrayEquals(hex("01 05 04 'shop' 02 01 '1'"), ok.sessionState());
        assertEquals("shop", SessionStateInfo.schema(ok.sessionState()));

        ByteBuf out = Unpooled.buffer();
        ok.encode(out, SESSION_TRACK);
        assertArrayEquals(hex(USE_SHOP_OK), bytes(out));
    }

    /** To a client without CLIENT_SESSION_TRACK the same OK goes without the state block and its flag. */
    @Test
    void sessionStateIsDroppedForAClientWithoutSessionTrack() {
        OkPacket ok = OkPacket.decode(payload(USE_SHOP_OK), SESSION_TRACK);
        ByteBuf out = Unpooled.buffer();
        ok.encode(out, PROTOCOL_41);
        assertArrayEquals(hex("""
                00 00 00           # header, affected rows, last insert id
                02 00              # status: AUTOCOMMIT, SESSION_STATE_CHANGED cleared
                00 00              # warnings
                """), bytes(out));
    }

    /** With CLIENT_SESSION_TRACK the info string is absent when empty and nothing changed. */
    @Test
    void withSessionTrackAndNothingChanged() {
        String golden = """
                00 00 00           # header, affected rows, last insert id
                02 00              # status: AUTOCOMMIT
                00 00              # warnings
                """;
        OkPacket ok = OkPacket.decode(payload(golden), SESSION_TRACK);
        assertArrayEquals(new byte[0], ok.info());
        assertNull(ok.sessionState());
        ByteBuf out = Unpooled.buffer();
        ok.encode(out, SESSION_TRACK);
        assertArrayEquals(hex(golden), bytes(out));
        assertArrayEquals(hex(golden), bytes(encode(OkPacket.ok(ServerStatus.AUTOCOMMIT), SESSION_TRACK)));
    }

    @Test
    void sessionTrackWithInfoAndNoStateChange() {
        OkPacket ok = OkPacket.decode(payload("""
                00 01 00           # header, affected rows 1, last insert id 0
                02 00              # status: AUTOCOMMIT
                00 00              # warnings
                05 'hello'         # info, lenenc
                """), SESSION_TRACK);
        assertArrayEquals("hello".getBytes(US_ASCII), ok.info());
        assertNull(ok.sessionState());
    }

    @Test
    void schemaIsNullWhenTheBlockReportsNone() {
        // Only a system variable: autocommit = ON.
        assertNull(SessionStateInfo.schema(hex("""
                00                 # type SESSION_TRACK_SYSTEM_VARIABLES
                0e                 # its data: 14 bytes
                0a 'autocommit'    #   name
                02 'ON'            #   value
                """)));
    }

    /** The 0xFE form that ends a result set under CLIENT_DEPRECATE_EOF reads like any OK. */
    @Test
    void eofHeaderForm() {
        OkPacket ok = OkPacket.decode(payload("""
                fe                 # header: 0xFE, the end of a result set
                00 00              # affected rows, last insert id
                22 00              # status: AUTOCOMMIT | NO_INDEX_USED
                00 00              # warnings
                """), SESSION_TRACK);
        assertEquals(OkPacket.EOF_HEADER, ok.header());
        assertEquals(ServerStatus.AUTOCOMMIT | ServerStatus.NO_INDEX_USED, ok.statusFlags());
    }

    @Test
    void truncatedBeforeTheWarningsIsMalformed() {
        Truncation.assertMalformedBelow(hex(UPDATE_OK), 7, buf -> OkPacket.decode(buf, PROTOCOL_41));
        Truncation.assertMalformedBelow(hex(USE_SHOP_OK), 7, buf -> OkPacket.decode(buf, SESSION_TRACK));
        // Cut inside the lenenc info or the state block of a session-tracking OK.
        byte[] whole = hex(USE_SHOP_OK);
        for (int length = 9; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThrows(MalformedPacketException.class,
                    () -> OkPacket.decode(Unpooled.wrappedBuffer(cut), SESSION_TRACK), "prefix of " + length);
        }
    }

    private static ByteBuf encode(OkPacket ok, long capabilities) {
        ByteBuf out = Unpooled.buffer();
        ok.encode(out, capabilities);
        return out;
    }

    private static final byte[] INFO = "Rows matched: 2  Changed: 2  Warnings: 0".getBytes(US_ASCII);

    /** An UPDATE's OK as MariaDB 10.11 sends it to a client without CLIENT_SESSION_TRACK. */
    private static byte[] updateOkWithoutSessionTrack() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x00);        // header: OK
        b.writeByte(0x02);        // affected rows: 2 (length-encoded)
        b.writeByte(0x00);        // last insert id: 0 (length-encoded)
        b.writeShortLE(0x0002);   // status: SERVER_STATUS_AUTOCOMMIT
        b.writeShortLE(0x0000);   // warnings: 0
        b.writeByte(INFO.length); // info: length-encoded (net_store_data), not the bare rest of the packet
        b.writeBytes(INFO);
        return bytes(b);
    }

    @Test
    void bareInfoWithoutSessionTrackIsStillAccepted() {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(new byte[] {0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00});
        b.writeBytes(INFO); // 'R' = 0x52 would claim 82 bytes; only 40 follow
        OkPacket ok = OkPacket.decode(b, PROTOCOL_41);
        assertArrayEquals(INFO, ok.info());
    }

    @Test
    void infoFromASessionTrackingBackendIsReencodedLengthEncodedForAClientWithout() {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(new byte[] {0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00});
        b.writeByte(INFO.length);
        b.writeBytes(INFO);
        OkPacket ok = OkPacket.decode(b, SESSION_TRACK);
        ByteBuf out = Unpooled.buffer();
        ok.encode(out, PROTOCOL_41);
        assertArrayEquals(updateOkWithoutSessionTrack(), bytes(out));
    }

    @Test
    void noInfoMeansNothingAfterTheWarnings() {
        ByteBuf out = Unpooled.buffer();
        OkPacket.ok(0x0002).encode(out, PROTOCOL_41);
        assertArrayEquals(new byte[] {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}, bytes(out));
    }

    @Test
    void hasTrailerTellsWhetherAnythingFollowsTheWarnings() {
        assertFalse(OkPacket.hasTrailer(Unpooled.wrappedBuffer(new byte[] {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00})));
        // affected rows 300 as fc 2c 01, last insert id 70000 as fd 70 11 01, status, warnings: still nothing after
        assertFalse(OkPacket.hasTrailer(Unpooled.wrappedBuffer(new byte[] {
            0x00, (byte) 0xfc, 0x2c, 0x01, (byte) 0xfd, 0x70, 0x11, 0x01, 0x02, 0x00, 0x00, 0x00})));
        assertTrue(OkPacket.hasTrailer(Unpooled.wrappedBuffer(updateOkWithoutSessionTrack())));
        assertTrue(OkPacket.hasTrailer(payload(USE_SHOP_OK)));
        assertTrue(OkPacket.hasTrailer(Unpooled.wrappedBuffer(new byte[] {0x00, 0x00, 0x00, 0x02})), "truncated");
    }
}
