package dev.berth.mysql.compress;

import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Inflates a zlib stream per packet with one reused {@link Inflater}. */
final class ZlibDecompressor implements Decompressor {
    private final Inflater inflater = new Inflater();

    @Override
    public void decompress(ByteBuf src, ByteBuf dst, int length) {
        dst.ensureWritable(length);
        ByteBuffer out = dst.nioBuffer(dst.writerIndex(), length);
        inflater.reset();
        inflater.setInput(src.nioBuffer());
        try {
            // The whole input is there: a call that makes no progress means the stream is cut or wants more room.
            while (!inflater.finished()) {
                if (inflater.inflate(out) == 0 && !inflater.finished()) {
                    throw new MalformedPacketException(out.hasRemaining()
                            ? "compressed payload ends before its zlib stream does"
                            : "compressed payload inflates to more than the " + length + " bytes its header announces");
                }
            }
        } catch (DataFormatException e) {
            throw new MalformedPacketException("compressed payload is not a zlib stream: " + e.getMessage());
        }
        if (out.hasRemaining()) {
            throw new MalformedPacketException("compressed payload inflates to " + out.position()
                    + " bytes, its header announces " + length);
        }
        if (inflater.getRemaining() > 0) {
            throw new MalformedPacketException(inflater.getRemaining() + " byte(s) follow the end of the zlib stream");
        }
        dst.writerIndex(dst.writerIndex() + length);
    }

    @Override
    public void end() {
        inflater.end();
    }
}
