package dev.berth.proxy.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DBStats-named figures are read from the closes counted by reason. */
class PoolStatsTest {

    private static PoolStats withCloses(Map<String, Long> closed) {
        return new PoolStats(4, 1, 0, 1, 0, 0, Duration.ZERO, 3, 0, closed, 0,
                LatencyHistogram.snapshot(new long[LatencyHistogram.BOUNDS_MICROS.length], 0), Map.of());
    }

    @Test
    void eachFigureCountsItsOwnReason() {
        PoolStats stats = withCloses(Map.of(PoolStats.MAX_IDLE, 5L, PoolStats.MAX_IDLE_TIME, 3L,
                PoolStats.MAX_LIFETIME, 2L, "ping-failed", 7L));
        assertEquals(5, stats.maxIdleClosed());
        assertEquals(3, stats.maxIdleTimeClosed());
        assertEquals(2, stats.maxLifetimeClosed());
    }

    @Test
    void noClosesAreZeroes() {
        PoolStats stats = withCloses(Map.of("shutdown", 1L));
        assertEquals(0, stats.maxIdleClosed());
        assertEquals(0, stats.maxIdleTimeClosed());
        assertEquals(0, stats.maxLifetimeClosed());
    }
}
