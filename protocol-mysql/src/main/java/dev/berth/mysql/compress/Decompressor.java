package dev.berth.mysql.compress;

import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;

/** Inflates the payloads of one connection's incoming compressed packets, reusing its state for every packet. */
interface Decompressor {
    /**
     * Writes what all of {@code src}'s readable bytes decompress to into the direct buffer {@code dst}: exactly
     * {@code length} bytes, or a {@link MalformedPacketException} when the data is corrupt, has bytes left over or
     * would make any other number of bytes (never writing more than {@code length}). The indices of {@code src}
     * do not move.
     */
    void decompress(ByteBuf src, ByteBuf dst, int length);

    /** Frees the native memory; the decompressor is not used after. */
    void end();
}
