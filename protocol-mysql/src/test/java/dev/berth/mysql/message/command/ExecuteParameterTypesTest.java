package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.frame;
import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ExecuteParameterTypesTest {
    /** Two parameters, types sent: a LONGLONG 5 and a VAR_STRING 'ab'. */
    static final String WITH_TYPES = """
            17              # COM_STMT_EXECUTE
            07 00 00 00     # statement id 7
            00              # flags: no cursor
            01 00 00 00     # iteration count
            00              # NULL bitmap: none NULL
            01              # new-params-bound: types follow
            08 00 fd 00     # MYSQL_TYPE_LONGLONG, MYSQL_TYPE_VAR_STRING
            05 00 00 00 00 00 00 00   # 5
            02 'ab'         # 'ab'
            """;

    /** The same execution as a driver sends it again: no types. */
    static final String WITHOUT_TYPES = """
            17 07 00 00 00 00 01 00 00 00
            00              # NULL bitmap
            00              # new-params-bound: none
            05 00 00 00 00 00 00 00
            02 'ab'
            """;

    @Test
    void readsTheTypesOnlyWhenSent() {
        assertArrayEquals(hex("08 00 fd 00"), ExecuteParameterTypes.read(frame(0, WITH_TYPES), 2));
        assertNull(ExecuteParameterTypes.read(frame(0, WITHOUT_TYPES), 2));
        assertNull(ExecuteParameterTypes.read(frame(0, WITHOUT_TYPES), 0));
    }

    @Test
    void addingTheTypesGivesTheExecutionThatSendsThem() {
        ByteBuf without = frame(3, WITHOUT_TYPES);
        ByteBuf with = ExecuteParameterTypes.withTypes(without, 2, hex("08 00 fd 00"), ByteBufAllocator.DEFAULT);
        assertEquals(0, without.refCnt());
        assertArrayEquals(bytes(frame(3, WITH_TYPES)), bytes(with));
    }

    @Test
    void aStreamedHeadKeepsTheWholePacketsLengthPlusTheTypes() {
        ByteBuf whole = frame(0, WITHOUT_TYPES);
        int length = Packets.payloadLength(whole);
        ByteBuf head = whole.slice(0, whole.readableBytes() - 3); // the last 3 bytes still to come as a chunk
        ByteBuf with = ExecuteParameterTypes.withTypes(Unpooled.copiedBuffer(head), 2, hex("08 00 fd 00"),
                ByteBufAllocator.DEFAULT);
        assertEquals(length + 4, Packets.payloadLength(with));
        assertEquals(head.readableBytes() + 4, with.readableBytes());
    }

    @Test
    void anExecutionTooShortForItsParametersIsMalformed() {
        assertThrows(MalformedPacketException.class,
                () -> ExecuteParameterTypes.read(frame(0, "17 07 00 00 00 00 01 00 00 00 00"), 2));
        assertThrows(MalformedPacketException.class,
                () -> ExecuteParameterTypes.read(frame(0, "17 07 00 00 00 00 01 00 00 00 00 01 08"), 2));
    }
}
