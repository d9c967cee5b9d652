package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.frame;
import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.StmtPrepareOk;
import dev.berth.mysql.message.StmtPrepareOkTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class StatementIdsTest {
    @Test
    void readsTheIdOfEveryStatementFrame() {
        assertEquals(69, StatementIds.read(frame(0, ComStmtExecuteTest.CURSOR_EXECUTE)));
        assertEquals(69, StatementIds.read(frame(0, StatementCommandsTest.FETCH)));
        assertEquals(69, StatementIds.read(frame(0, StatementCommandsTest.CLOSE)));
        assertEquals(70, StatementIds.read(frame(0, StatementCommandsTest.RESET)));
        assertEquals(70, StatementIds.read(frame(0, StatementCommandsTest.SEND_LONG_DATA)));
        assertEquals(69, StatementIds.read(frame(1, StmtPrepareOkTest.PREPARE_OK)));
        assertEquals(StatementIds.LAST_PREPARED, StatementIds.read(frame(0, ComStmtExecuteTest.PIPELINED_EXECUTE)));
    }

    @Test
    void rewritesOnlyTheId() {
        ByteBuf frame = frame(0, ComStmtExecuteTest.CURSOR_EXECUTE);
        StatementIds.rewrite(frame, 7);
        assertArrayEquals(bytes(frame(0, ComStmtExecuteTest.CURSOR_EXECUTE.replace("45 00 00 00", "07 00 00 00"))),
                bytes(frame));
        assertEquals(7, StatementIds.read(frame));
        assertEquals(7, ComStmtExecute.decode(Packets.payload(frame)).statementId());
    }

    /** The server's id goes to the client as the proxy's, and back. */
    @Test
    void rewritesAPrepareOkBothWays() {
        ByteBuf frame = frame(1, StmtPrepareOkTest.PREPARE_OK);
        StatementIds.rewrite(frame, 0xfffffffeL);
        assertEquals(new StmtPrepareOk(0xfffffffeL, 2, 2, 0), StmtPrepareOk.decode(Packets.payload(frame)));
        assertEquals(0xfffffffeL, StatementIds.read(frame));
        StatementIds.rewrite(frame, 69);
        assertArrayEquals(bytes(frame(1, StmtPrepareOkTest.PREPARE_OK)), bytes(frame));
    }

    @Test
    void honoursTheReaderIndex() {
        ByteBuf frame = Unpooled.buffer().writeBytes(hex("ee ee ee")).writeBytes(frame(0, StatementCommandsTest.CLOSE));
        frame.skipBytes(3);
        StatementIds.rewrite(frame, 1);
        assertArrayEquals(hex("ee ee ee 05 00 00 00 19 01 00 00 00"), bytes(frame.resetReaderIndex()));
    }

    @Test
    void aFrameTooShortForAnIdIsMalformed() {
        assertThrows(MalformedPacketException.class, () -> StatementIds.read(frame(0, "19 45 00 00")));
        assertThrows(MalformedPacketException.class, () -> StatementIds.rewrite(frame(0, "19 45 00 00"), 1));
        assertThrows(MalformedPacketException.class, () -> StatementIds.read(frame(0, new byte[0])));
        // A header announcing more than the buffer holds.
        ByteBuf cut = Unpooled.wrappedBuffer(hex("05 00 00 00 19 45 00"));
        assertThrows(MalformedPacketException.class, () -> StatementIds.read(cut));
    }

    @Test
    void aFrameWithoutAnIdIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> StatementIds.rewrite(frame(0, "03 'SELECT 1'"), 1));
        assertThrows(IllegalArgumentException.class, () -> StatementIds.read(frame(0, ComStmtPrepareTest.PREPARE)));
    }
}
