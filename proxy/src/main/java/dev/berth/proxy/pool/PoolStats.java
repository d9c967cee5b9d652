package dev.berth.proxy.pool;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of a pool's figures, named as Go's {@code sql.DBStats} names them, plus Berth's own.
 *
 * @param closedByReason how many connections were closed, by why
 */
public record PoolStats(int maxOpenConnections, int openConnections, int inUse, int idle, int waiting,
                        long waitCount, Duration waitDuration, long connects, long connectFailures,
                        Map<String, Long> closedByReason) {
}
