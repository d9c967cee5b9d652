package dev.berth.mysql.compress;

import io.netty.buffer.ByteBuf;

/** Compresses the payloads of one connection's outgoing compressed packets, reusing its state for every packet. */
interface Compressor {
    /**
     * Writes the compressed form of {@code src}'s readable bytes to the direct buffer {@code dst} when it takes at
     * most {@code maxLength} bytes, and returns whether it did; otherwise {@code dst} is left as it was. The
     * indices of {@code src} do not move.
     */
    boolean compress(ByteBuf src, ByteBuf dst, int maxLength);

    /** Frees the native memory; the compressor is not used after. */
    void end();
}
