package dev.berth.proxy.ops;

import dev.berth.proxy.frontend.ClientMetrics;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.PoolStats;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line logged every {@code --stats-interval}, as PgBouncer logs its own: the clients and the pool now, and what
 * happened since the last line (rates per second over the interval).
 */
public final class StatsLine implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StatsLine.class);

    private final BackendPool pool;
    private final ClientMetrics clients;
    private long lastAt = System.nanoTime();
    private long lastQueries;
    private long lastConnects;
    private long lastErrors;
    private long lastWaits;
    private long lastWaitNanos;
    private long lastBackendConnects;

    public StatsLine(BackendPool pool, ClientMetrics clients) {
        this.pool = pool;
        this.clients = clients;
    }

    @Override
    public void run() {
        log.info(next(System.nanoTime()));
    }

    /** The line for now, and the start of the next interval. */
    synchronized String next(long now) {
        PoolStats stats = pool.stats();
        double seconds = Math.max(1e-9, (now - lastAt) / 1e9);
        long queries = clients.queries();
        long connects = clients.connects();
        long errors = clients.errorsByCode().values().stream().mapToLong(Long::longValue).sum();
        long waits = stats.waitCount();
        long waitNanos = stats.waitDuration().toNanos();
        long backendConnects = stats.connects();
        long newWaits = waits - lastWaits;
        String line = String.format(Locale.ROOT, "stats: %d clients, %.1f connects/s, %.1f queries/s, %.1f errors/s; "
                        + "pool %s: %d/%d open, %d in use, %d idle, %d waiting, %d waits (avg %.1f ms), "
                        + "%d backend connects",
                clients.openConnections(), (connects - lastConnects) / seconds, (queries - lastQueries) / seconds,
                (errors - lastErrors) / seconds, pool.name(), stats.openConnections(), stats.maxOpenConnections(),
                stats.inUse(), stats.idle(), stats.waiting(), newWaits,
                newWaits == 0 ? 0.0 : (waitNanos - lastWaitNanos) / 1e6 / newWaits, backendConnects - lastBackendConnects);
        lastAt = now;
        lastQueries = queries;
        lastConnects = connects;
        lastErrors = errors;
        lastWaits = waits;
        lastWaitNanos = waitNanos;
        lastBackendConnects = backendConnects;
        return line;
    }
}
