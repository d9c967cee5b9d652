package dev.berth.mysql.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OkPacketTest {
    private static final long NO_TRACK = Capabilities.CLIENT_PROTOCOL_41;
    private static final long TRACK = Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SESSION_TRACK;
    private static final byte[] INFO = "Rows matched: 2  Changed: 2  Warnings: 0".getBytes(StandardCharsets.US_ASCII);

    /** An UPDATE's OK as MariaDB 10.11 sends it to a client without CLIENT_SESSION_TRACK. */
    private static byte[] updateOkWithoutSessionTrack() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x00);       // header: OK
        b.writeByte(0x02);       // affected rows: 2 (length-encoded)
        b.writeByte(0x00);       // last insert id: 0 (length-encoded)
        b.writeShortLE(0x0002);  // status: SERVER_STATUS_AUTOCOMMIT
        b.writeShortLE(0x0000);  // warnings: 0
        b.writeByte(INFO.length); // info: length-encoded (net_store_data), not the bare rest of the packet
        b.writeBytes(INFO);
        return ByteBufUtil.getBytes(b);
    }

    @Test
    void infoWithoutSessionTrackIsLengthEncodedAsServersWriteIt() {
        OkPacket ok = OkPacket.decode(Unpooled.wrappedBuffer(updateOkWithoutSessionTrack()), NO_TRACK);
        assertEquals(2, ok.affectedRows());
        assertArrayEquals(INFO, ok.info());
        assertNull(ok.sessionState());
        ByteBuf out = Unpooled.buffer();
        ok.encode(out, NO_TRACK);
        assertArrayEquals(updateOkWithoutSessionTrack(), ByteBufUtil.getBytes(out));
    }

    @Test
    void bareInfoWithoutSessionTrackIsStillAccepted() {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(new byte[] {0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00});
        b.writeBytes(INFO); // 'R' = 0x52 would claim 82 bytes; only 40 follow
        OkPacket ok = OkPacket.decode(b, NO_TRACK);
        assertArrayEquals(INFO, ok.info());
    }

    @Test
    void infoFromASessionTrackingBackendIsReencodedLengthEncodedForAClientWithout() {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(new byte[] {0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00});
        b.writeByte(INFO.length);
        b.writeBytes(INFO);
        OkPacket ok = OkPacket.decode(b, TRACK);
        ByteBuf out = Unpooled.buffer();
        ok.encode(out, NO_TRACK);
        assertArrayEquals(updateOkWithoutSessionTrack(), ByteBufUtil.getBytes(out));
    }

    @Test
    void noInfoMeansNothingAfterTheWarnings() {
        ByteBuf out = Unpooled.buffer();
        OkPacket.ok(0x0002).encode(out, NO_TRACK);
        assertArrayEquals(new byte[] {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}, ByteBufUtil.getBytes(out));
    }
}
