package dev.berth.mysql.compress;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.PacketTooLargeException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Turns compressed packets back into the plain byte stream of MySQL packets, for the frame decoder behind it. A
 * MySQL packet may span compressed packets and a compressed packet may hold several, so the output is bytes, not
 * frames: stored payloads as retained slices of the input, inflated ones in new buffers.
 *
 * <p>Bounded: a header announcing more than {@code maxUncompressedLength} bytes fails with
 * {@link PacketTooLargeException} before its payload is waited for; data that does not inflate to exactly the
 * announced length fails with {@link MalformedPacketException}. After a failure everything is discarded, so the
 * caller can answer with an ERR and close.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_compression_packet.html">Compressed Packet</a>
 */
final class CompressedPacketDecoder extends ByteToMessageDecoder {
    private final Decompressor decompressor;
    private final CompressedSequence sequence;
    private final int maxUncompressedLength;
    private boolean failed;

    CompressedPacketDecoder(Decompressor decompressor, CompressedSequence sequence, int maxUncompressedLength) {
        this.decompressor = decompressor;
        this.sequence = sequence;
        this.maxUncompressedLength = maxUncompressedLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= CompressionCodec.HEADER_SIZE) {
            int at = in.readerIndex();
            int compressedLength = in.getUnsignedMediumLE(at);
            int uncompressedLength = in.getUnsignedMediumLE(at + 4); // 0: the payload is stored as it is
            int plainLength = uncompressedLength == 0 ? compressedLength : uncompressedLength;
            if (plainLength > maxUncompressedLength) {
                fail(in);
                throw new PacketTooLargeException(plainLength, maxUncompressedLength);
            }
            if (uncompressedLength > 0 && compressedLength > maxCompressedLength(uncompressedLength)) {
                fail(in);
                throw new MalformedPacketException("compressed payload of " + compressedLength + " bytes for "
                        + uncompressedLength + " is larger than deflate or zstd ever makes it");
            }
            if (in.readableBytes() < CompressionCodec.HEADER_SIZE + compressedLength) {
                return;
            }
            sequence.received(in.getUnsignedByte(at + 3));
            in.skipBytes(CompressionCodec.HEADER_SIZE);
            if (uncompressedLength == 0) {
                if (compressedLength > 0) {
                    out.add(in.readRetainedSlice(compressedLength));
                }
            } else {
                ByteBuf payload = in.readSlice(compressedLength);
                try {
                    out.add(inflate(ctx, payload, uncompressedLength));
                } catch (RuntimeException e) {
                    fail(in);
                    throw e;
                }
            }
        }
    }

    private ByteBuf inflate(ChannelHandlerContext ctx, ByteBuf payload, int length) {
        ByteBuf inflated = ctx.alloc().directBuffer(length);
        try {
            decompressor.decompress(payload, inflated, length);
            return inflated;
        } catch (RuntimeException e) {
            inflated.release();
            throw e;
        }
    }

    /**
     * MySQL's and MariaDB's clients store what would not shrink; the slack admits deflate's and zstd's worst case
     * (zlib's compressBound and ZSTD_COMPRESSBOUND stay below n + n/256 + 64) from clients that don't.
     */
    private static int maxCompressedLength(int uncompressedLength) {
        return uncompressedLength + (uncompressedLength >> 8) + 64;
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        decompressor.end();
    }
}
