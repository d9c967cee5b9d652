package dev.berth.proxy.frontend;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * WARN lines about clients (failed logins, handshake timeouts, pool timeouts, lost backends) that a flood cannot turn
 * into a flood of log lines: at most {@link #PER_WINDOW} a {@link #WINDOW_NANOS} window per kind of event; the first
 * line after a window that dropped some says how many. Each carries the {@link #CLIENT_EVENT} marker: what a client
 * did, as opposed to a fault of Berth's.
 */
public final class RateLimitedLog {
    public static final Marker CLIENT_EVENT = MarkerFactory.getMarker("CLIENT_EVENT");

    static final int PER_WINDOW = 10;
    static final long WINDOW_NANOS = 10_000_000_000L;

    private final Logger log;
    private final LongSupplier clock;
    private long windowStart = Long.MIN_VALUE;
    private int logged;
    private int dropped;

    RateLimitedLog(Logger log) {
        this(log, System::nanoTime);
    }

    /** With a controllable clock (nanoseconds), for tests. */
    RateLimitedLog(Logger log, LongSupplier clock) {
        this.log = log;
        this.clock = clock;
    }

    void warn(String format, Object... arguments) {
        int droppedBefore;
        synchronized (this) {
            long now = clock.getAsLong();
            if (windowStart == Long.MIN_VALUE || now - windowStart >= WINDOW_NANOS) {
                windowStart = now;
                logged = 0;
            }
            if (logged >= PER_WINDOW) {
                dropped++;
                return;
            }
            logged++;
            droppedBefore = dropped;
            dropped = 0;
        }
        if (droppedBefore > 0) {
            log.warn(CLIENT_EVENT, "({} more like the next were not logged) " + format,
                    prepend(droppedBefore, arguments));
        } else {
            log.warn(CLIENT_EVENT, format, arguments);
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
