package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.mysql.message.Truncation;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ComSetOptionTest {
    /**
     * MySQL Connector/J 9.1.0 with {@code rewriteBatchedStatements=true} around a batch of five statements sent as one
     * multi-statement query, to MariaDB 10.11.19 (captured through a relay). The server answered each with
     * {@code fe 00 00 02 00}, a 5-byte EOF, although CLIENT_DEPRECATE_EOF was negotiated.
     */
    static final String MULTI_STATEMENTS_ON = """
            1b        # command: COM_SET_OPTION
            00 00     # option: MYSQL_OPTION_MULTI_STATEMENTS_ON
            """;

    static final String MULTI_STATEMENTS_OFF = """
            1b        # command: COM_SET_OPTION
            01 00     # option: MYSQL_OPTION_MULTI_STATEMENTS_OFF
            """;

    @Test
    void decodesAndEncodesRealOptions() {
        assertEquals(new ComSetOption(Command.MYSQL_OPTION_MULTI_STATEMENTS_ON),
                ComSetOption.decode(payload(MULTI_STATEMENTS_ON)));
        assertEquals(new ComSetOption(Command.MYSQL_OPTION_MULTI_STATEMENTS_OFF),
                ComSetOption.decode(payload(MULTI_STATEMENTS_OFF)));
        ByteBuf out = Unpooled.buffer();
        new ComSetOption(Command.MYSQL_OPTION_MULTI_STATEMENTS_OFF).encode(out);
        assertArrayEquals(hex(MULTI_STATEMENTS_OFF), bytes(out));
    }

    /** An option the server does not know is its to refuse (with ER_UNKNOWN_COM_ERROR). */
    @Test
    void anyOptionDecodes() {
        assertEquals(new ComSetOption(0xffff), ComSetOption.decode(payload("1b ff ff")));
    }

    @Test
    void truncatedIsMalformed() {
        Truncation.assertMalformedBelow(hex(MULTI_STATEMENTS_ON), 3, ComSetOption::decode);
    }
}
