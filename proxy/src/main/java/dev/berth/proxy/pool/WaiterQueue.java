package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendConnection;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Iterator;

/** Acquires waiting for a connection, oldest first, each with its deadline. Used under the pool's lock. */
final class WaiterQueue {
    /** One waiting acquire. */
    static final class Waiter {
        final Promise<BackendConnection> promise;
        final EventLoop loop;
        final boolean foundRows;
        final long since;
        ScheduledFuture<?> timeout;

        Waiter(Promise<BackendConnection> promise, EventLoop loop, boolean foundRows, long since) {
            this.promise = promise;
            this.loop = loop;
            this.foundRows = foundRows;
            this.since = since;
        }
    }

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    void add(Waiter waiter) {
        waiters.add(waiter);
    }

    /** The oldest waiter of any kind, left in the queue. */
    Waiter peek() {
        return waiters.peek();
    }

    Waiter poll() {
        return waiters.poll();
    }

    /** Takes the oldest waiter of one CLIENT_FOUND_ROWS kind, or null. */
    Waiter next(boolean foundRows) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.foundRows == foundRows) {
                it.remove();
                return w;
            }
        }
        return null;
    }

    boolean remove(Waiter waiter) {
        return waiters.remove(waiter);
    }

    int count(boolean foundRows) {
        int count = 0;
        for (Waiter w : waiters) {
            if (w.foundRows == foundRows) {
                count++;
            }
        }
        return count;
    }

    int size() {
        return waiters.size();
    }
}
