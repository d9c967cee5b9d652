package dev.berth.mysql;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with Netty's leak detector at PARANOID (every buffer tracked, its accesses recorded) and fails
 * the class if the detector reports a leak of a {@link TrackingAllocator} buffer. Other tests' unreleased buffers
 * (say {@link Golden}'s, collected during this class) are not counted.
 */
public final class ParanoidLeakDetection implements BeforeAllCallback, AfterAllCallback {
    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private ResourceLeakDetector.Level previous;

    @Override
    public void beforeAll(ExtensionContext context) throws ReflectiveOperationException {
        previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        byteBufDetector().setLeakListener((type, records) -> {
            if (records.contains(TrackingAllocator.class.getName())) {
                leaks.add(records);
            }
        });
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            // A leak is reported once its buffer is collected and the detector next tracks a buffer.
            System.gc();
            Thread.sleep(100);
            ByteBuf probe = new TrackingAllocator().heapBuffer(1);
            probe.release();
        } finally {
            byteBufDetector().setLeakListener(null);
            ResourceLeakDetector.setLevel(previous);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leak(s) reported; the first:\n" + leaks.get(0));
        }
    }

    /** The detector every leak-aware ByteBuf reports to; Netty keeps it in a package-private field. */
    @SuppressWarnings("unchecked")
    private static ResourceLeakDetector<ByteBuf> byteBufDetector() throws ReflectiveOperationException {
        Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
        field.setAccessible(true);
        return (ResourceLeakDetector<ByteBuf>) field.get(null);
    }
}
