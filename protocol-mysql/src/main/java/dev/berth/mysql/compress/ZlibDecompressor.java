package dev.berth.mysql.compress;

import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a zlib stream per packet with one reused {@link Inflater}, as its bytes arrive: zlib takes its input in any
 * pieces and keeps no more than its 32 KB window, whatever the packet's size.
 */
final class ZlibDecompressor implements Decompressor {
    private static final byte[] EMPTY = new byte[0];

    private final Inflater inflater = new Inflater();

    @Override
    public void start(boolean whole) {
        inflater.reset();
    }

    @Override
    public boolean decompress(ByteBuf src, ByteBuf dst, int maxLength) {
        if (inflater.finished()) {
            if (src.isReadable()) {
                throw new MalformedPacketException(src.readableBytes() + " byte(s) follow the end of the zlib stream");
            }
            return true;
        }
        ByteBuffer in = src.nioBuffer();
        ByteBuffer out = dst.nioBuffer(dst.writerIndex(), maxLength);
        int inAt = in.position();
        int outAt = out.position();
        inflater.setInput(in);
        try {
            inflater.inflate(out);
        } catch (DataFormatException e) {
            throw new MalformedPacketException("compressed payload is not a zlib stream: " + e.getMessage());
        } finally {
            src.skipBytes(in.position() - inAt);
            dst.writerIndex(dst.writerIndex() + out.position() - outAt);
            inflater.setInput(EMPTY); // holds no reference to a buffer that is released after this call
        }
        if (inflater.needsDictionary()) {
            throw new MalformedPacketException("compressed payload is a zlib stream with a preset dictionary");
        }
        if (inflater.finished() && src.isReadable()) {
            throw new MalformedPacketException(src.readableBytes() + " byte(s) follow the end of the zlib stream");
        }
        return inflater.finished();
    }

    @Override
    public void end() {
        inflater.end();
    }
}
