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
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * COM_STMT_FETCH, _CLOSE, _RESET and _SEND_LONG_DATA, as MySQL Connector/J 9.1.0 sent them to MariaDB 10.11.19 with
 * {@code useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=10} (captured through a relay), for the
 * statements of {@link ComStmtExecuteTest}.
 */
class StatementCommandsTest {
    static final String FETCH = """
            1c              # command: COM_STMT_FETCH
            45 00 00 00     # statement id 69
            0a 00 00 00     # num_rows 10 (defaultFetchSize)
            """;

    static final String CLOSE = """
            19              # command: COM_STMT_CLOSE
            45 00 00 00     # statement id 69
            """;

    /** Sent by {@code clearParameters()} after long data. */
    static final String RESET = """
            1a              # command: COM_STMT_RESET
            46 00 00 00     # statement id 70
            """;

    /** {@code setBinaryStream(1, 5 bytes)} on {@code SELECT LENGTH(?)}. */
    static final String SEND_LONG_DATA = """
            18              # command: COM_STMT_SEND_LONG_DATA
            46 00 00 00     # statement id 70
            00 00           # param_id 0: the first parameter
            01 02 03 04 05  # data: the rest of the packet
            """;

    @Test
    void fetch() {
        ComStmtFetch fetch = ComStmtFetch.decode(payload(FETCH));
        assertEquals(new ComStmtFetch(69, 10), fetch);
        assertReEncodes(FETCH, fetch::encode);
        Truncation.assertMalformedBelow(hex(FETCH), 9, ComStmtFetch::decode);
        assertEquals(new ComStmtFetch(0xffffffffL, 0xffffffffL),
                ComStmtFetch.decode(payload("1c ff ff ff ff ff ff ff ff")));
    }

    @Test
    void close() {
        ComStmtClose close = ComStmtClose.decode(payload(CLOSE));
        assertEquals(new ComStmtClose(69), close);
        assertReEncodes(CLOSE, close::encode);
        Truncation.assertMalformedBelow(hex(CLOSE), 5, ComStmtClose::decode);
    }

    @Test
    void reset() {
        ComStmtReset reset = ComStmtReset.decode(payload(RESET));
        assertEquals(new ComStmtReset(70), reset);
        assertReEncodes(RESET, reset::encode);
        Truncation.assertMalformedBelow(hex(RESET), 5, ComStmtReset::decode);
    }

    @Test
    void sendLongData() {
        ComStmtSendLongData data = ComStmtSendLongData.decode(payload(SEND_LONG_DATA));
        assertRecordEquals(new ComStmtSendLongData(70, 0, hex("01 02 03 04 05")), data);
        assertReEncodes(SEND_LONG_DATA, data::encode);
        Truncation.assertMalformedBelow(hex(SEND_LONG_DATA), 7, ComStmtSendLongData::decode);
        // An empty chunk is still a chunk.
        assertArrayEquals(new byte[0], ComStmtSendLongData.decode(payload("18 46 00 00 00 00 00")).data());
    }

    /** Each reads only its own command byte: the ids sit at the same place in all of them. */
    @Test
    void anotherCommandIsMalformed() {
        assertThrows(MalformedPacketException.class, () -> ComStmtClose.decode(payload(RESET)));
        assertThrows(MalformedPacketException.class, () -> ComStmtReset.decode(payload(CLOSE)));
        assertThrows(MalformedPacketException.class, () -> ComStmtFetch.decode(payload(CLOSE + "00 00 00 00")));
        assertThrows(MalformedPacketException.class, () -> ComStmtSendLongData.decode(payload(FETCH)));
    }

    @Test
    void roundTrips() {
        ComStmtSendLongData data = new ComStmtSendLongData(0xfffffffeL, 0xffff, new byte[] {0, 1});
        ByteBuf out = Unpooled.buffer();
        data.encode(out);
        assertRecordEquals(data, ComStmtSendLongData.decode(out));

        out = Unpooled.buffer();
        new ComStmtFetch(0x80000000L, 1).encode(out);
        assertEquals(new ComStmtFetch(0x80000000L, 1), ComStmtFetch.decode(out));
        out = Unpooled.buffer();
        new ComStmtClose(0x80000000L).encode(out);
        assertEquals(new ComStmtClose(0x80000000L), ComStmtClose.decode(out));
        out = Unpooled.buffer();
        new ComStmtReset(0x80000000L).encode(out);
        assertEquals(new ComStmtReset(0x80000000L), ComStmtReset.decode(out));
    }

    private static void assertReEncodes(String golden, Consumer<ByteBuf> encode) {
        ByteBuf out = Unpooled.buffer();
        encode.accept(out);
        assertArrayEquals(hex(golden), bytes(out));
    }
}
