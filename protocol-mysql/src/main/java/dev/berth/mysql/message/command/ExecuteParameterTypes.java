package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The parameter types of a COM_STMT_EXECUTE frame, read and added in place. After the statement id, flags and
 * iteration count come the NULL bitmap ((n + 7) / 8 bytes for n parameters), the new-params-bound flag and, when it
 * is 1, two bytes of type per parameter. A server keeps the types of the last execution that sent them, so a proxy
 * that runs the statement on another connection must send them again where the client did not.
 *
 * <p>Works on the frame's head, so a streamed execution whose first 64 KB hold the types is handled too; the head's
 * length field is adjusted. An execution of 16 MB or more (continued frames) cannot gain types this way.
 */
public final class ExecuteParameterTypes {
    /** Header, command, statement id, flags, iteration count. */
    private static final int BITMAP_OFFSET = Packets.HEADER_SIZE + 1 + 4 + 1 + 4;

    private ExecuteParameterTypes() {
    }

    /** The types the frame sends, or null when it sends none (new-params-bound 0, or no parameters). */
    public static byte[] read(ByteBuf frame, int parameters) {
        if (parameters == 0) {
            return null;
        }
        int flagAt = flagOffset(frame, parameters);
        if (frame.getUnsignedByte(flagAt) != 1) {
            return null;
        }
        int typesAt = flagAt + 1;
        if (frame.readableBytes() < typesAt - frame.readerIndex() + 2 * parameters) {
            throw new MalformedPacketException("COM_STMT_EXECUTE too short for its " + parameters
                    + " parameter types");
        }
        byte[] types = new byte[2 * parameters];
        frame.getBytes(typesAt, types);
        return types;
    }

    /**
     * The same execution with {@code types} sent (new-params-bound 1), as a new frame; {@code frame} (which sends
     * none) is released.
     */
    public static ByteBuf withTypes(ByteBuf frame, int parameters, byte[] types, ByteBufAllocator alloc) {
        if (Packets.continues(frame) || Packets.payloadLength(frame) + types.length >= Packets.MAX_PAYLOAD) {
            throw new IllegalArgumentException("an execution of 16 MB or more cannot gain parameter types");
        }
        int flagAt = flagOffset(frame, parameters);
        int start = frame.readerIndex();
        ByteBuf out = alloc.buffer(frame.readableBytes() + types.length);
        out.writeBytes(frame, start, flagAt - start);
        out.writeByte(1);
        out.writeBytes(types);
        out.writeBytes(frame, flagAt + 1, frame.writerIndex() - flagAt - 1);
        out.setMediumLE(out.readerIndex(), Packets.payloadLength(frame) + types.length);
        frame.release();
        return out;
    }

    private static int flagOffset(ByteBuf frame, int parameters) {
        int flagAt = frame.readerIndex() + BITMAP_OFFSET + (parameters + 7) / 8;
        if (frame.writerIndex() <= flagAt) {
            throw new MalformedPacketException("COM_STMT_EXECUTE too short for " + parameters + " parameters");
        }
        return flagAt;
    }
}
