package dev.berth.mysql.compress;

import dev.berth.mysql.codec.PacketFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CoalescingBufferQueue;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * Wraps the outgoing byte stream into compressed packets. It compresses as writes arrive: every
 * {@link PacketFrameDecoder#CHUNK_SIZE} bytes written (64 KB) go out as one compressed packet at once, and what is left
 * at a flush as one more, smaller. Compressed packets are only a byte stream to the client, so MySQL packets may be
 * split across them anywhere. Writes are {@link ByteBuf}s of MySQL packets; a write's promise completes when the
 * compressed packets holding its last byte are written. So the encoder holds less than 64 KB of what is written, plus
 * the one packet it is compressing; the rest is in the channel's buffer, and both count against the channel's
 * writability.
 *
 * <p>Under 50 bytes, or when compressing does not make it smaller, a payload is stored as it is (uncompressed
 * length 0), as MySQL's {@code my_compress} does. The compressed sequence ids go on from the client's last one
 * (see {@link CompressedSequence}).
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_compression_packet.html">Compressed Packet</a>
 */
final class CompressedPacketEncoder extends ChannelOutboundHandlerAdapter {
    /** MySQL's MIN_COMPRESS_LENGTH: shorter payloads are never worth compressing. */
    static final int MIN_COMPRESS_LENGTH = 50;
    /** The most a compressed packet holds uncompressed: what the proxy forwards at a time anyway. */
    static final int MAX_UNCOMPRESSED_LENGTH = PacketFrameDecoder.CHUNK_SIZE;

    private final Compressor compressor;
    private final CompressedSequence sequence;
    private CoalescingBufferQueue pending;

    CompressedPacketEncoder(Compressor compressor, CompressedSequence sequence) {
        this.compressor = compressor;
        this.sequence = sequence;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        pending = new CoalescingBufferQueue(ctx.channel(), 4, true);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            // Anything else would reach the client uncompressed and break the stream.
            ReferenceCountUtil.release(msg);
            promise.setFailure(new UnsupportedMessageTypeException(msg, ByteBuf.class));
            return;
        }
        pending.add(buf, promise);
        // Compressed as it comes: a large packet is never held whole, and a writer that never flushes still gets its
        // bytes out.
        while (pending.readableBytes() >= MAX_UNCOMPRESSED_LENGTH) {
            writeCompressedPacket(ctx);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        while (!pending.isEmpty()) {
            writeCompressedPacket(ctx);
        }
        ctx.flush();
    }

    private void writeCompressedPacket(ChannelHandlerContext ctx) {
        ChannelPromise promise = ctx.newPromise();
        ByteBuf chunk = pending.remove(MAX_UNCOMPRESSED_LENGTH, promise);
        if (!chunk.isReadable()) {
            ctx.write(chunk, promise); // only empty writes were queued: complete their promises, send nothing
            return;
        }
        ByteBuf packet;
        try {
            packet = encode(ctx, chunk);
        } catch (RuntimeException e) {
            promise.setFailure(e);
            throw e;
        } finally {
            chunk.release();
        }
        ctx.write(packet, promise);
    }

    private ByteBuf encode(ChannelHandlerContext ctx, ByteBuf chunk) {
        int length = chunk.readableBytes();
        ByteBuf packet = ctx.alloc().directBuffer(CompressionCodec.HEADER_SIZE + length);
        packet.writerIndex(CompressionCodec.HEADER_SIZE);
        int uncompressedLength = length; // in the header; 0 says stored
        try {
            if (length < MIN_COMPRESS_LENGTH || !compressor.compress(chunk, packet, length - 1)) {
                packet.writeBytes(chunk, chunk.readerIndex(), length);
                uncompressedLength = 0;
            }
        } catch (RuntimeException e) {
            packet.release();
            throw e;
        }
        packet.setMediumLE(0, packet.readableBytes() - CompressionCodec.HEADER_SIZE);
        packet.setByte(3, sequence.nextToSend());
        packet.setMediumLE(4, uncompressedLength);
        return packet;
    }

    /** Writes not yet flushed when the handler goes (the channel closed) fail and are released. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        pending.releaseAndFailAll(new ClosedChannelException());
        compressor.end();
    }
}
