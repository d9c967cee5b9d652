package dev.berth.mysql.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A piece of the payload of a streamed frame: {@link PacketFrameDecoder} emits a frame too large to hold whole as its
 * head (a buffer with the header, whose length names the whole payload, and the payload's first
 * {@link PacketFrameDecoder#CHUNK_SIZE} bytes), then the rest of the payload in chunks, the {@link #last} one ending
 * the frame. The bytes are payload only: no header, nothing to rewrite, forwarded as they are.
 */
public final class FrameChunk extends DefaultByteBufHolder {
    private final boolean last;

    public FrameChunk(ByteBuf bytes, boolean last) {
        super(bytes);
        this.last = last;
    }

    /** Whether this chunk ends its frame. */
    public boolean last() {
        return last;
    }

    @Override
    public String toString() {
        return "FrameChunk(" + content().readableBytes() + " bytes" + (last ? ", last)" : ")");
    }
}
