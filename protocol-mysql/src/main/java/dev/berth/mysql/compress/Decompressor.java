package dev.berth.mysql.compress;

import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;

/**
 * Inflates the payloads of one connection's incoming compressed packets as their bytes arrive, reusing its state for
 * every packet. The caller checks the lengths (what came out against the header, no byte of the payload left over);
 * the decompressor reports what the data itself says, and fails with {@link MalformedPacketException} when it is
 * corrupt.
 */
interface Decompressor {
    /**
     * Starts the next packet's payload. {@code whole}: it will come in one {@link #decompress} call with all of its
     * bytes and room for all it makes (a small payload), rather than piece by piece.
     */
    void start(boolean whole);

    /**
     * Consumes what it can of {@code src}'s readable bytes (moving its reader index past them) and writes at most
     * {@code maxLength} bytes at {@code dst}'s writer index (moving it), a direct buffer with that much room. Returns
     * whether the payload's data has ended with what was consumed: nothing more will come out unless more input
     * follows, which is then either more data (zstd: another frame) or a {@link MalformedPacketException}.
     */
    boolean decompress(ByteBuf src, ByteBuf dst, int maxLength);

    /** Called at the end of each payload: lets go of what only a large one needed. */
    default void finish() {
    }

    /** Frees the native memory; the decompressor is not used after. */
    void end();
}
