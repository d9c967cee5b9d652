package dev.berth.mysql.compress;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/** A zlib stream (RFC 1950, as zlib's {@code compress()} writes) per packet, from one reused {@link Deflater}. */
final class ZlibCompressor implements Compressor {
    private final Deflater deflater;

    ZlibCompressor(int level) {
        deflater = new Deflater(level);
    }

    @Override
    public boolean compress(ByteBuf src, ByteBuf dst, int maxLength) {
        dst.ensureWritable(maxLength);
        ByteBuffer out = dst.nioBuffer(dst.writerIndex(), maxLength);
        deflater.reset();
        for (ByteBuffer in : src.nioBuffers()) {
            deflater.setInput(in);
            while (!deflater.needsInput()) {
                if (!out.hasRemaining()) {
                    return false;
                }
                deflater.deflate(out);
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            if (!out.hasRemaining()) {
                return false;
            }
            deflater.deflate(out);
        }
        dst.writerIndex(dst.writerIndex() + out.position());
        return true;
    }

    @Override
    public void end() {
        deflater.end();
    }
}
