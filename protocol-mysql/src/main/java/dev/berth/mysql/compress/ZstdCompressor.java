package dev.berth.mysql.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/** One zstd frame per packet, as MySQL 8.0.18+ writes them, from one reused compression context. */
final class ZstdCompressor implements Compressor {
    private final ZstdCompressCtx ctx = new ZstdCompressCtx();

    ZstdCompressor(int level) {
        ctx.setLevel(level);
    }

    @Override
    public boolean compress(ByteBuf src, ByteBuf dst, int maxLength) {
        dst.ensureWritable(maxLength);
        ByteBuffer out = dst.nioBuffer(dst.writerIndex(), maxLength);
        ByteBuf in = ZstdDecompressor.directView(src);
        try {
            ByteBuffer input = in.nioBuffer();
            int written = ctx.compressDirectByteBuffer(out, out.position(), maxLength, input, input.position(),
                    input.remaining());
            dst.writerIndex(dst.writerIndex() + written);
            return true;
        } catch (ZstdException e) {
            if (e.getErrorCode() == Zstd.errDstSizeTooSmall()) {
                return false;
            }
            throw e;
        } finally {
            in.release();
        }
    }

    @Override
    public void end() {
        ctx.close();
    }
}
