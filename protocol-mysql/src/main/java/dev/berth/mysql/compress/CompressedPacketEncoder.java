package dev.berth.mysql.compress;

import dev.berth.mysql.codec.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CoalescingBufferQueue;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * Wraps the outgoing byte stream into compressed packets. Like a server, which compresses its network buffer
 * when it flushes, it gathers what is written until a flush and sends it as one compressed packet (several past
 * 16 MB - 1). Writes are {@link ByteBuf}s of MySQL packets; a write's promise completes when the compressed
 * packets holding its last byte are written. What waits for a flush counts against the channel's writability.
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
        // A writer that never flushes still gets full packets out, so the queue stays bounded.
        while (pending.readableBytes() >= Packets.MAX_PAYLOAD) {
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
        ByteBuf chunk = pending.remove(Packets.MAX_PAYLOAD, promise);
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
