package dev.berth.proxy.server;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap bytes allocated so far by the event loops' threads, where every client's and backend connection's bytes are
 * handled: divided by the queries served it is the per-query allocation the benchmark reports (pooled buffers are
 * not heap allocations and do not count). Read from the JVM's per-thread allocation counter, which costs nothing
 * until read.
 */
public final class EventLoopAllocation {
    private final com.sun.management.ThreadMXBean threads;
    private final long[] threadIds;

    private EventLoopAllocation(com.sun.management.ThreadMXBean threads, long[] threadIds) {
        this.threads = threads;
        this.threadIds = threadIds;
    }

    /** Learns each loop's thread (by running a task on it); null when the JVM does not count allocation. */
    static EventLoopAllocation of(EventLoopGroup loops) throws InterruptedException {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            return null;
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        List<Future<Long>> ids = new ArrayList<>();
        for (EventExecutor loop : loops) {
            ids.add(loop.submit(() -> Thread.currentThread().getId()));
        }
        long[] threadIds = new long[ids.size()];
        for (int i = 0; i < threadIds.length; i++) {
            threadIds[i] = ids.get(i).sync().getNow();
        }
        return new EventLoopAllocation(threads, threadIds);
    }

    public long allocatedBytes() {
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threadIds)) {
            total += Math.max(0, bytes); // -1 for a thread that has ended
        }
        return total;
    }
}
