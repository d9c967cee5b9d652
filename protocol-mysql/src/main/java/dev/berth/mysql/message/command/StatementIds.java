package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.StmtPrepareOk;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * The statement id of a whole frame, read and rewritten in place, so that a proxy can renumber statements without
 * decoding the packet. COM_STMT_EXECUTE, _FETCH, _CLOSE, _RESET, _SEND_LONG_DATA and the server's COM_STMT_PREPARE_OK
 * all carry it as an int&lt;4&gt; right after their first byte.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html">COM_STMT_PREPARE</a>
 */
public final class StatementIds {
    /** MariaDB's id for the statement prepared last on the connection (see {@link ComStmtExecute}). */
    public static final long LAST_PREPARED = 0xffffffffL;
    /** From the frame's start: the 4-byte frame header, then the command (or status) byte. */
    private static final int ID_OFFSET = Packets.HEADER_SIZE + 1;
    private static final int ID_END = ID_OFFSET + 4;

    private StatementIds() {
    }

    public static long read(ByteBuf frame) {
        return frame.getUnsignedIntLE(at(frame));
    }

    public static void rewrite(ByteBuf frame, long newId) {
        frame.setIntLE(at(frame), (int) newId);
    }

    /**
     * Where the id is. A frame without one is a programming error; a statement frame too short to hold one is
     * malformed. (A 0x00 first byte passes as COM_STMT_PREPARE_OK: only the caller knows it answers a prepare.)
     */
    private static int at(ByteBuf frame) {
        if (frame.readableBytes() < ID_END || Packets.payloadLength(frame) < ID_END - Packets.HEADER_SIZE) {
            throw new MalformedPacketException("frame too short to hold a statement id");
        }
        int first = Packets.firstByte(frame);
        return switch (first) {
            case Command.COM_STMT_EXECUTE, Command.COM_STMT_FETCH, Command.COM_STMT_CLOSE, Command.COM_STMT_RESET,
                 Command.COM_STMT_SEND_LONG_DATA, StmtPrepareOk.STATUS -> frame.readerIndex() + ID_OFFSET;
            default -> throw new IllegalArgumentException(Command.name(first) + " carries no statement id");
        };
    }
}
