package dev.berth.mysql.compress;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/** Decompresses the zstd frame of each packet with one reused decompression context. */
final class ZstdDecompressor implements Decompressor {
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();

    @Override
    public void decompress(ByteBuf src, ByteBuf dst, int length) {
        dst.ensureWritable(length);
        ByteBuffer out = dst.nioBuffer(dst.writerIndex(), length);
        ByteBuf in = directView(src);
        int written;
        try {
            ByteBuffer input = in.nioBuffer();
            // zstd refuses to write past `length` (dstSize_tooSmall) and fails on trailing bytes that are no frame.
            written = ctx.decompressDirectByteBuffer(out, out.position(), length, input, input.position(),
                    input.remaining());
        } catch (ZstdException e) {
            throw new MalformedPacketException("compressed payload is not zstd data that fits the "
                    + length + " bytes its header announces: " + e.getMessage());
        } finally {
            in.release();
        }
        if (written != length) {
            throw new MalformedPacketException("compressed payload decompresses to " + written
                    + " bytes, its header announces " + length);
        }
        dst.writerIndex(dst.writerIndex() + length);
    }

    @Override
    public void end() {
        ctx.close();
    }

    /**
     * zstd-jni reads only direct memory: {@code buf} itself (retained) when it is one direct buffer, else a direct
     * copy of its readable bytes. Release the result.
     */
    static ByteBuf directView(ByteBuf buf) {
        if (buf.isDirect() && buf.nioBufferCount() == 1) {
            return buf.retainedSlice();
        }
        ByteBuf copy = buf.alloc().directBuffer(buf.readableBytes());
        copy.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
        return copy;
    }
}
