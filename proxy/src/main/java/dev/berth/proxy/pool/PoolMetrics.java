package dev.berth.proxy.pool;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** The pool's counters; safe to update from any thread, read as a {@link PoolStats} snapshot. */
final class PoolMetrics {
    private final LongAdder waitCount = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder closedFirst = new LongAdder();
    private final LongAdder acquireNanos = new LongAdder();
    private final Map<CloseReason, LongAdder> closes = new EnumMap<>(CloseReason.class);
    private final Map<PinReason, LongAdder> pinned = new EnumMap<>(PinReason.class);
    private final AtomicLongArray latencyCounts = new AtomicLongArray(LatencyHistogram.BOUNDS_MICROS.length);

    PoolMetrics() {
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, new LongAdder());
        }
        for (PinReason reason : PinReason.values()) {
            pinned.put(reason, new LongAdder());
        }
    }

    void waitStarted() {
        waitCount.increment();
    }

    void waited(long nanos) {
        waitNanos.add(nanos);
    }

    void connected() {
        connects.increment();
    }

    void connectFailed() {
        connectFailures.increment();
    }

    void closed(CloseReason reason) {
        closes.get(reason).increment();
    }

    void closedFirst() {
        closedFirst.increment();
    }

    /** A client pinned its connection for {@code reason} (+1), or no longer (-1). */
    void pinned(PinReason reason, int delta) {
        pinned.get(reason).add(delta);
    }

    void acquired(long latencyNanos) {
        latencyCounts.incrementAndGet(LatencyHistogram.bucket(latencyNanos));
        acquireNanos.add(latencyNanos);
    }

    PoolStats snapshot(int maxOpen, int open, int inUse, int idle, int waiting) {
        Map<String, Long> closedByReason = new TreeMap<>();
        closes.forEach((reason, count) -> {
            if (count.sum() > 0) {
                closedByReason.put(reason.label(), count.sum());
            }
        });
        Map<String, Long> pinnedByReason = new TreeMap<>();
        pinned.forEach((reason, count) -> {
            if (count.sum() > 0) {
                pinnedByReason.put(reason.label(), count.sum());
            }
        });
        long[] latencies = new long[latencyCounts.length()];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = latencyCounts.get(i);
        }
        return new PoolStats(maxOpen, open, inUse, idle, waiting, waitCount.sum(), Duration.ofNanos(waitNanos.sum()),
                connects.sum(), connectFailures.sum(), Map.copyOf(closedByReason), closedFirst.sum(),
                LatencyHistogram.snapshot(latencies, acquireNanos.sum()), Map.copyOf(pinnedByReason));
    }
}
