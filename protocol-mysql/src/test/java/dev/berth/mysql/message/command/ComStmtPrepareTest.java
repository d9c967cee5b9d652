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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ComStmtPrepareTest {
    /** MySQL Connector/J 9.1.0 with {@code useServerPrepStmts=true}, to MariaDB 10.11.19, captured through a relay. */
    static final String PREPARE = """
            16                                               # command: COM_STMT_PREPARE
            'SELECT seq, ? FROM seq_1_to_25 WHERE seq > ?'   # query: the rest of the packet
            """;

    @Test
    void decodesARealPrepare() {
        ComStmtPrepare prepare = ComStmtPrepare.decode(payload(PREPARE));
        assertEquals("SELECT seq, ? FROM seq_1_to_25 WHERE seq > ?", prepare.sql());
        ByteBuf out = Unpooled.buffer();
        prepare.encode(out);
        assertArrayEquals(hex(PREPARE), bytes(out));
    }

    @Test
    void theSqlInAnotherCharacterSet() {
        assertEquals("SELECT 'é'", ComStmtPrepare.decode(payload("16 'SELECT ' 27 e9 27")).sql(ISO_8859_1));
    }

    @Test
    void withoutTheCommandByteIsMalformed() {
        Truncation.assertMalformedBelow(hex(PREPARE), 1, ComStmtPrepare::decode);
        assertThrows(MalformedPacketException.class, () -> ComStmtPrepare.decode(payload("03 'SELECT 1'")));
    }

    @Test
    void roundTrips() {
        ComStmtPrepare prepare = new ComStmtPrepare("SELECT ?".getBytes(ISO_8859_1));
        ByteBuf out = Unpooled.buffer();
        prepare.encode(out);
        assertRecordEquals(prepare, ComStmtPrepare.decode(out));
    }
}
