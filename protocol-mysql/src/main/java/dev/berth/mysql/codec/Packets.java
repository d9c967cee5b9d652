package dev.berth.mysql.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Helpers for frames as {@link PacketFrameDecoder} emits them: a 4-byte header (3-byte little-endian payload
 * length, 1-byte sequence id) followed by the payload, all in one buffer.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html">MySQL Packets</a>
 */
public final class Packets {
    public static final int HEADER_SIZE = 4;
    /** A payload of exactly this length means the logical packet continues in the next frame. */
    public static final int MAX_PAYLOAD = 0xffffff;

    private Packets() {
    }

    public static int payloadLength(ByteBuf frame) {
        return frame.getUnsignedMediumLE(frame.readerIndex());
    }

    public static int sequenceId(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + 3);
    }

    public static void setSequenceId(ByteBuf frame, int sequenceId) {
        frame.setByte(frame.readerIndex() + 3, sequenceId);
    }

    /** The first payload byte, or -1 for an empty payload. */
    public static int firstByte(ByteBuf frame) {
        return payloadLength(frame) == 0 ? -1 : frame.getUnsignedByte(frame.readerIndex() + HEADER_SIZE);
    }

    /** The first byte of a payload (as sliced by {@link #payload}), or -1 when empty. */
    public static int firstByteOf(ByteBuf payload) {
        return payload.isReadable() ? payload.getUnsignedByte(payload.readerIndex()) : -1;
    }

    /** Whether the logical packet goes on in the next frame. */
    public static boolean continues(ByteBuf frame) {
        return payloadLength(frame) == MAX_PAYLOAD;
    }

    /**
     * Whether the buffer holds only the head of its frame (header and the payload's first bytes), the rest coming as
     * {@link FrameChunk}s: see {@link PacketFrameDecoder#streamLargeFrames}.
     */
    public static boolean isPartial(ByteBuf frame) {
        return frame.readableBytes() < HEADER_SIZE + payloadLength(frame);
    }

    /**
     * A slice of the payload bytes the buffer holds: the whole payload of a whole frame, the first bytes of a partial
     * one. For reading what a packet starts with; sharing the frame's memory and not retained.
     */
    public static ByteBuf payloadStart(ByteBuf frame) {
        int held = Math.min(payloadLength(frame), frame.readableBytes() - HEADER_SIZE);
        return frame.slice(frame.readerIndex() + HEADER_SIZE, held);
    }

    /** A slice of the payload, sharing the frame's memory and not retained. */
    public static ByteBuf payload(ByteBuf frame) {
        return frame.slice(frame.readerIndex() + HEADER_SIZE, payloadLength(frame));
    }

    /** A new buffer with room for a header; write the payload, then call {@link #finish}. */
    public static ByteBuf start(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.buffer(64);
        buf.writeZero(HEADER_SIZE);
        return buf;
    }

    /** Fills in the header of a frame begun with {@link #start}; the payload must fit one frame. */
    public static ByteBuf finish(ByteBuf buf, int sequenceId) {
        endFrame(buf, buf.readerIndex(), sequenceId);
        return buf;
    }

    /**
     * Starts another frame at the end of {@code buf}, for several frames in one buffer: write its payload, then call
     * {@link #endFrame} with the index returned.
     */
    public static int beginFrame(ByteBuf buf) {
        int frameStart = buf.writerIndex();
        buf.writeZero(HEADER_SIZE);
        return frameStart;
    }

    /** Fills in the header of the frame begun at {@code frameStart}; its payload must fit one frame. */
    public static void endFrame(ByteBuf buf, int frameStart, int sequenceId) {
        int length = buf.writerIndex() - frameStart - HEADER_SIZE;
        if (length >= MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + length + " bytes needs more than one frame");
        }
        buf.setMediumLE(frameStart, length);
        buf.setByte(frameStart + 3, sequenceId);
    }
}
