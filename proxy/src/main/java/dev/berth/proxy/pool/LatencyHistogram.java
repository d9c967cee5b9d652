package dev.berth.proxy.pool;

import java.util.Arrays;

/**
 * Counts of acquire latencies in fixed buckets (upper bounds in microseconds; the last bucket is open), and their sum.
 */
public record LatencyHistogram(long[] upperBoundsMicros, long[] counts, long sumNanos) {
    static final long[] BOUNDS_MICROS = {100, 1_000, 10_000, 100_000, 1_000_000, Long.MAX_VALUE};

    static LatencyHistogram snapshot(long[] counts, long sumNanos) {
        return new LatencyHistogram(BOUNDS_MICROS.clone(), counts.clone(), sumNanos);
    }

    static int bucket(long nanos) {
        long micros = nanos / 1_000;
        for (int i = 0; i < BOUNDS_MICROS.length; i++) {
            if (micros < BOUNDS_MICROS[i]) {
                return i;
            }
        }
        return BOUNDS_MICROS.length - 1;
    }

    public long total() {
        return Arrays.stream(counts).sum();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            out.append(i == counts.length - 1 ? ">=" + upperBoundsMicros[i - 1] : "<" + upperBoundsMicros[i])
                    .append("us:").append(counts[i]).append(i < counts.length - 1 ? " " : "");
        }
        return out.toString();
    }
}
