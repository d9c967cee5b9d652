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
 * <p>One frame is decoded per {@link #decode} call, so the handler after this one sees each frame before the next is
 * cut: after an SSLRequest it can take what follows, the start of the TLS handshake, with {@link #takeUnframed}.
 */
public final class PacketFrameDecoder extends ByteToMessageDecoder {
    private long maxPacketSize;
    private long logicalPacketSize;
    private boolean failed;

    public PacketFrameDecoder(long maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    /** Changes the bound, say from the handshake's small one to the command phase's. */
    public void setMaxPacketSize(long maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
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
        if (in.readableBytes() >= Packets.HEADER_SIZE) {
            int length = in.getUnsignedMediumLE(in.readerIndex());
            logicalPacketSize += length;
            if (logicalPacketSize > maxPacketSize) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw new PacketTooLargeException(logicalPacketSize, maxPacketSize);
            }
            if (in.readableBytes() < Packets.HEADER_SIZE + length) {
                logicalPacketSize -= length;
                return;
            }
            if (length < Packets.MAX_PAYLOAD) {
                logicalPacketSize = 0;
            }
            out.add(in.readRetainedSlice(Packets.HEADER_SIZE + length));
        }
    }
}
