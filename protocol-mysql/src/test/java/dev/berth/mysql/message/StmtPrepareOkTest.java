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
import org.junit.jupiter.api.Test;

public class StmtPrepareOkTest {
    /**
     * MariaDB 10.11.19 preparing {@code SELECT seq, ? FROM seq_1_to_25 WHERE seq > ?} for MySQL Connector/J 9.1.0,
     * captured through a relay. Two parameter definitions and two column definitions followed.
     */
    public static final String PREPARE_OK = """
            00              # status: OK
            45 00 00 00     # statement_id 69
            02 00           # num_columns 2
            02 00           # num_params 2
            00              # reserved_1
            00 00           # warning_count 0
            """;

    @Test
    void decodesAndEncodesARealPrepareOk() {
        StmtPrepareOk ok = StmtPrepareOk.decode(payload(PREPARE_OK));
        assertEquals(new StmtPrepareOk(69, 2, 2, 0), ok);
        ByteBuf out = Unpooled.buffer();
        ok.encode(out);
        assertArrayEquals(hex(PREPARE_OK), bytes(out));
    }

    @Test
    void idsAndCountsAreUnsigned() {
        StmtPrepareOk ok = new StmtPrepareOk(0xffffffffL, 0xffff, 0xffff, 0xffff);
        ByteBuf out = Unpooled.buffer();
        ok.encode(out);
        assertEquals(ok, StmtPrepareOk.decode(out));
    }

    /** MySQL's metadata_follows byte (CLIENT_OPTIONAL_RESULTSET_METADATA) is not Berth's concern. */
    @Test
    void ignoresMetadataFollows() {
        assertEquals(new StmtPrepareOk(69, 2, 2, 0), StmtPrepareOk.decode(payload(PREPARE_OK + "01")));
    }

    @Test
    void truncatedIsMalformed() {
        Truncation.assertMalformedBelow(hex(PREPARE_OK), 12, StmtPrepareOk::decode);
    }

    @Test
    void anErrIsNotAPrepareOk() {
        assertThrows(MalformedPacketException.class,
                () -> StmtPrepareOk.decode(payload("ff 28 04 23 '42000' 'You have an error'")));
    }
}
