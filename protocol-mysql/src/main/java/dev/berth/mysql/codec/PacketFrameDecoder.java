package dev.berth.mysql.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a byte stream into MySQL frames (header and payload in one retained slice, never copied).
 *
 * <p>Frames are emitted one per wire frame, so a logical packet of 16 MB or more arrives as several frames;
 * consumers that forward bytes don't need to join them. {@link #setMaxPacketSize} bounds a logical packet
 * across its continuation frames; past the bound the decoder fails with {@link PacketTooLargeException}
 * and discards everything after, so the caller can answer with an ERR and close.
 *
 * <p>With {@link #streamLargeFrames} on, a frame whose payload is longer than {@link #CHUNK_SIZE} is not held whole:
 * its head (header and the first {@code CHUNK_SIZE} payload bytes, see {@link Packets#isPartial}) is emitted as soon as
 * it is in, then the rest as {@link FrameChunk}s of what has arrived, at most {@code CHUNK_SIZE} each. What the
 * decoder holds is then bounded by {@code CHUNK_SIZE} plus one read, whatever the packet size; a consumer that
 * forwards and stops reading while its destination is full keeps a connection's memory bounded end to end.
 *
 * <p>One frame is decoded per {@link #decode} call, so the handler after this one sees each frame before the next is
 * cut: after an SSLRequest it can take what follows, the start of the TLS handshake, with {@link #takeUnframed}.
 */
public final class PacketFrameDecoder extends ByteToMessageDecoder {
    /** The payload a streamed frame's head carries, and the most a {@link FrameChunk} does. */
    public static final int CHUNK_SIZE = 64 * 1024;

    private final int chunkSize;
    private long maxPacketSize;
    private long logicalPacketSize;
    private boolean failed;
    private boolean streaming;
    /** Payload bytes of the streamed frame still to come as chunks; 0 between frames. */
    private int chunkBytesLeft;

    public PacketFrameDecoder(long maxPacketSize) {
        this(maxPacketSize, CHUNK_SIZE);
    }

    /** With another chunk size, for tests that feed streamed frames a byte at a time. */
    PacketFrameDecoder(long maxPacketSize, int chunkSize) {
        this.maxPacketSize = maxPacketSize;
        this.chunkSize = chunkSize;
    }

    /** Changes the bound, say from the handshake's small one to the command phase's. */
    public void setMaxPacketSize(long maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    /**
     * Whether frames longer than {@link #CHUNK_SIZE} are emitted in pieces, for a consumer that can take
     * {@link FrameChunk}s; takes effect from the next frame.
     */
    public void streamLargeFrames(boolean on) {
        this.streaming = on;
    }

    /** Takes the bytes received but not yet cut into frames; the decoder goes on with what arrives next. */
    public ByteBuf takeUnframed() {
        ByteBuf buffered = internalBuffer();
        return buffered.readBytes(buffered.readableBytes());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (chunkBytesLeft > 0) {
            int n = Math.min(Math.min(in.readableBytes(), chunkBytesLeft), chunkSize);
            if (n > 0) {
                chunkBytesLeft -= n;
                out.add(new FrameChunk(in.readRetainedSlice(n), chunkBytesLeft == 0));
            }
            return;
        }
        if (in.readableBytes() >= Packets.HEADER_SIZE) {
            int length = in.getUnsignedMediumLE(in.readerIndex());
            logicalPacketSize += length;
            if (logicalPacketSize > maxPacketSize) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw new PacketTooLargeException(logicalPacketSize, maxPacketSize);
            }
            int emitted = streaming && length > chunkSize ? chunkSize : length;
            if (in.readableBytes() < Packets.HEADER_SIZE + emitted) {
                logicalPacketSize -= length;
                return;
            }
            if (length < Packets.MAX_PAYLOAD) {
                logicalPacketSize = 0;
            }
            chunkBytesLeft = length - emitted;
            out.add(in.readRetainedSlice(Packets.HEADER_SIZE + emitted));
        }
    }
}
