package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.message.Truncation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ComInitDbTest {
    /** MariaDB Connector/J 3.5.1's {@code setCatalog("mysql")} to MariaDB 10.11.19, captured through a relay. */
    static final String INIT_DB = """
            02          # command: COM_INIT_DB
            'mysql'     # schema name: the rest of the packet
            """;

    @Test
    void decodesAndEncodesARealInitDb() {
        ComInitDb initDb = ComInitDb.decode(payload(INIT_DB));
        assertEquals(new ComInitDb("mysql"), initDb);
        ByteBuf out = Unpooled.buffer();
        initDb.encode(out);
        assertArrayEquals(hex(INIT_DB), bytes(out));
    }

    @Test
    void roundTripsANonAsciiName() {
        ByteBuf out = Unpooled.buffer();
        new ComInitDb("café").encode(out);
        assertEquals(new ComInitDb("café"), ComInitDb.decode(out));
    }

    /** An empty name decodes: the server answers it with ER_NO_DB_ERROR. */
    @Test
    void onlyTheCommandByteIsNeeded() {
        Truncation.assertMalformedBelow(hex(INIT_DB), 1, ComInitDb::decode);
        assertEquals(new ComInitDb(""), ComInitDb.decode(payload("02")));
        assertThrows(MalformedPacketException.class, () -> ComInitDb.decode(payload("03 'mysql'")));
    }
}
