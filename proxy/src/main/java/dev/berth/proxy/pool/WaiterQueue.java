package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendConnection;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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
    /** How many waiters each key has, kept as they come and go: asked on every acquire. */
    private final Map<PoolKey, Integer> perKey = new HashMap<>();

    void add(Waiter waiter) {
        waiters.add(waiter);
        perKey.merge(waiter.key, 1, Integer::sum);
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
                left(w);
                return w;
            }
        }
        return null;
    }

    boolean remove(Waiter waiter) {
        if (!waiters.remove(waiter)) {
            return false;
        }
        left(waiter);
        return true;
    }

    private void left(Waiter waiter) {
        perKey.merge(waiter.key, -1, (a, b) -> a + b == 0 ? null : a + b);
    }

    int count(PoolKey key) {
        return perKey.getOrDefault(key, 0);
    }

    int size() {
        return waiters.size();
    }
}
