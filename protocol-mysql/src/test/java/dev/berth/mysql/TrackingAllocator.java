package dev.berth.mysql;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpooled buffers that remember themselves, so a test can check every one of them was released. They are handed out
 * leak-aware, so Netty's leak detector (at the level the test sets) sees them too.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    /** A buffer holding {@code bytes}. */
    public ByteBuf wrap(byte[] bytes) {
        return heapBuffer(bytes.length).writeBytes(bytes);
    }

    /** Fails unless every buffer allocated since the last call was released, then forgets them. */
    public void assertAllReleased() {
        try {
            for (ByteBuf buf : allocated) {
                if (buf.refCnt() != 0) {
                    throw new AssertionError("buffer still referenced (refCnt " + buf.refCnt() + "): " + buf);
                }
            }
        } finally {
            allocated.clear();
        }
    }

    /**
     * The capacity of the buffers allocated since the last {@link #assertAllReleased} that are still referenced: the
     * memory held right now by whatever holds them.
     */
    public long liveBytes() {
        long live = 0;
        for (ByteBuf buf : allocated) {
            if (buf.refCnt() > 0) {
                live += buf.capacity();
            }
        }
        return live;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(buf);
        return toLeakAwareBuffer(buf);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(buf);
        return toLeakAwareBuffer(buf);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
