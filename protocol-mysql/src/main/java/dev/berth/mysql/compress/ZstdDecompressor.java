package dev.berth.mysql.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDirectBufferDecompressingStreamNoFinalizer;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdIOException;
import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decompresses the zstd frame of each packet. A small payload, given whole, is decompressed in one call with one
 * reused context, straight into its output. A large one is streamed through a zstd stream of its own
 * ({@link ZstdDirectBufferDecompressingStreamNoFinalizer}), fed as its bytes arrive: zstd then keeps the frame's window
 * in native memory (up to the frame's size: 2 MB for a frame of 2 MB or more from MySQL's default level 3, at most
 * {@link #WINDOW_LOG_MAX} 16 MB, which no frame of one packet needs more than), freed at the payload's end.
 */
final class ZstdDecompressor implements Decompressor {
    /**
     * The largest window a streamed frame may ask for, 16 MB: a packet holds at most 16 MB - 1, and MySQL compresses it
     * knowing its size, which caps the window there. A frame asking for more (zstd allows 128 MB by default, allocated
     * as soon as the header is read) is refused.
     */
    static final int WINDOW_LOG_MAX = 24;

    private static final ByteBuffer NO_INPUT = ByteBuffer.allocateDirect(0);

    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private boolean whole;
    private FrameStream stream;

    @Override
    public void start(boolean whole) {
        this.whole = whole;
        finish();
    }

    @Override
    public boolean decompress(ByteBuf src, ByteBuf dst, int maxLength) {
        ByteBuffer out = dst.nioBuffer(dst.writerIndex(), maxLength);
        ByteBuf in = directView(src);
        try {
            ByteBuffer input = in.nioBuffer();
            int inAt = input.position();
            boolean ended;
            int written;
            if (whole) {
                // zstd refuses to write past maxLength (dstSize_tooSmall) and fails on trailing bytes that are no frame.
                written = ctx.decompressDirectByteBuffer(out, out.position(), maxLength, input, inAt, input.remaining());
                input.position(input.limit());
                ended = true;
            } else {
                if (stream == null || stream.ended() && input.hasRemaining()) {
                    finish(); // another frame follows the one that ended
                    stream = new FrameStream();
                }
                written = stream.decompress(input, out);
                ended = !input.hasRemaining() && stream.ended();
            }
            src.skipBytes(input.position() - inAt);
            dst.writerIndex(dst.writerIndex() + written);
            return ended;
        } catch (ZstdException e) {
            throw malformed(e.getErrorCode(), e.getMessage());
        } catch (ZstdIOException e) {
            throw malformed(e.getErrorCode(), e.getMessage());
        } catch (IOException e) {
            throw new MalformedPacketException("compressed payload is not zstd data: " + e.getMessage());
        } finally {
            in.release();
        }
    }

    private static MalformedPacketException malformed(long errorCode, String message) {
        if (errorCode == Zstd.errFrameParameterWindowTooLarge()) {
            return new MalformedPacketException("compressed payload is a zstd frame whose window is larger than "
                    + (1 << WINDOW_LOG_MAX) + " bytes");
        }
        return new MalformedPacketException("compressed payload is not zstd data that fits the length its header "
                + "announces: " + message);
    }

    /** Frees a streamed payload's stream and its window. */
    @Override
    public void finish() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    @Override
    public void end() {
        finish();
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

    /**
     * One zstd stream, given its input a piece at a time: zstd-jni's stream reads from {@code source}, which it
     * otherwise refills itself. zstd keeps no pointer into the input between calls (what it could not use it leaves,
     * what it must keep it copies), so the input may be released after each call.
     */
    private static final class FrameStream extends ZstdDirectBufferDecompressingStreamNoFinalizer {
        FrameStream() {
            super(NO_INPUT);
            try {
                setLongMax(WINDOW_LOG_MAX);
            } catch (IOException e) {
                close();
                throw new IllegalStateException("zstd refused a window limit of 2^" + WINDOW_LOG_MAX, e);
            }
        }

        int decompress(ByteBuffer input, ByteBuffer out) throws IOException {
            source = input;
            try {
                return read(out);
            } finally {
                source = NO_INPUT;
            }
        }

        /** Whether the frame ended with the last input, all its output written. */
        boolean ended() {
            return !hasRemaining();
        }
    }
}
