package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class EofPacketTest {
    static final String EOF_MORE_RESULTS = """
            fe                 # header: EOF
            01 00              # warnings 1
            0a 00              # status: AUTOCOMMIT | MORE_RESULTS_EXISTS
            """;

    @Test
    void decodesAndEncodesGoldenBytes() {
        EofPacket eof = EofPacket.decode(payload(EOF_MORE_RESULTS));
        assertEquals(1, eof.warnings());
        assertEquals(ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS, eof.statusFlags());
        ByteBuf out = Unpooled.buffer();
        eof.encode(out);
        assertArrayEquals(hex(EOF_MORE_RESULTS), bytes(out));
        assertEquals(5, out.writerIndex());
    }

    @Test
    void truncatedIsMalformed() {
        Truncation.assertMalformedBelow(hex(EOF_MORE_RESULTS), 5, EofPacket::decode);
    }
}
