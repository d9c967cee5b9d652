package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendConnection;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Predicate;

/** Acquires waiting for a connection, oldest first, each with its deadline. Used under the pool's lock. */
final class WaiterQueue {
    /** One waiting acquire. */
    static final class Waiter {
        final Promise<BackendConnection> promise;
        final EventLoop loop;
        final PoolKey key;
        final long since;
        ScheduledFuture<?> timeout;

        Waiter(Promise<BackendConnection> promise, EventLoop loop, PoolKey key, long since) {
            this.promise = promise;
            this.loop = loop;
            this.key = key;
            this.since = since;
        }
    }

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    void add(Waiter waiter) {
        waiters.add(waiter);
    }

    /** The oldest waiter that {@code servable} accepts, left in the queue; null when none. */
    Waiter first(Predicate<Waiter> servable) {
        for (Waiter w : waiters) {
            if (servable.test(w)) {
                return w;
            }
        }
        return null;
    }

    /** Takes the oldest waiter for one key, or null. */
    Waiter next(PoolKey key) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.key.equals(key)) {
                it.remove();
                return w;
            }
        }
        return null;
    }

    boolean remove(Waiter waiter) {
        return waiters.remove(waiter);
    }

    int count(PoolKey key) {
        int count = 0;
        for (Waiter w : waiters) {
            if (w.key.equals(key)) {
                count++;
            }
        }
        return count;
    }

    int size() {
        return waiters.size();
    }
}
