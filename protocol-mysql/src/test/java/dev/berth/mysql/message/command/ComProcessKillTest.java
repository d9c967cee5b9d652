package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.mysql.message.Truncation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ComProcessKillTest {
    /** Made by hand from the documentation: no client at hand sends it (mariadb-admin kill sends {@code KILL 1871}). */
    static final String KILL = """
            0c              # command: COM_PROCESS_KILL
            4f 07 00 00     # connection_id 1871
            """;

    @Test
    void decodesAndEncodes() {
        ComProcessKill kill = ComProcessKill.decode(payload(KILL));
        assertEquals(new ComProcessKill(1871), kill);
        ByteBuf out = Unpooled.buffer();
        kill.encode(out);
        assertArrayEquals(hex(KILL), bytes(out));
    }

    @Test
    void theIdIsUnsigned() {
        assertEquals(new ComProcessKill(0xffffffffL), ComProcessKill.decode(payload("0c ff ff ff ff")));
        ByteBuf out = Unpooled.buffer();
        new ComProcessKill(0xffffffffL).encode(out);
        assertArrayEquals(hex("0c ff ff ff ff"), bytes(out));
    }

    /** No id or a short one is malformed, not an IndexOutOfBoundsException (nor a read past the packet). */
    @Test
    void aShortIdIsMalformed() {
        Truncation.assertMalformedBelow(hex(KILL), 5, ComProcessKill::decode);
    }
}
