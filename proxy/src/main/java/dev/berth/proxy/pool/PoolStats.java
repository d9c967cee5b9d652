package dev.berth.proxy.pool;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of a pool's figures: Go's {@code sql.DBStats} (the first seven fields and the three {@code ...Closed}
 * methods), plus Berth's own.
 *
 * @param openConnections connections open or being opened
 * @param waitCount       acquires that had to wait
 * @param waitDuration    the time they waited, in total
 * @param closedByReason  connections closed, by the label of their {@link CloseReason}
 * @param closedFirst     closes where the server did not close its end after COM_QUIT and Berth had to (those leave
 *                        a TIME_WAIT socket on Berth's host)
 * @param pinnedByReason  clients in transaction pool mode keeping their connection between statements, by the label
 *                        of their {@link PinReason} (a client pinned for two reasons counts under both)
 */
public record PoolStats(int maxOpenConnections, int openConnections, int inUse, int idle, int waiting,
                        long waitCount, Duration waitDuration, long connects, long connectFailures,
                        Map<String, Long> closedByReason, long closedFirst, LatencyHistogram acquireLatency,
                        Map<String, Long> pinnedByReason) {

    public static final String MAX_IDLE = CloseReason.MAX_IDLE.label();
    public static final String MAX_IDLE_TIME = CloseReason.MAX_IDLE_TIME.label();
    public static final String MAX_LIFETIME = CloseReason.MAX_LIFETIME.label();

    /** Closed on release because max idle was reached. */
    public long maxIdleClosed() {
        return closedByReason.getOrDefault(MAX_IDLE, 0L);
    }

    public long maxIdleTimeClosed() {
        return closedByReason.getOrDefault(MAX_IDLE_TIME, 0L);
    }

    public long maxLifetimeClosed() {
        return closedByReason.getOrDefault(MAX_LIFETIME, 0L);
    }
}
