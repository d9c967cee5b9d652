package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendConnection;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The idle connections: a stack per key (account and CLIENT_FOUND_ROWS kind) and event loop, so the newest idle
 * connection on a client's own loop is found at once (a client and its backend on one loop hand packets over without
 * crossing threads), and the newest anywhere next (LIFO, so surplus connections age out). Used under the pool's lock.
 */
final class IdleStacks {
    private final Map<PoolKey, Map<EventLoop, ArrayDeque<BackendConnection>>> stacks = new HashMap<>();
    private int size;

    private static PoolKey key(BackendConnection c) {
        return new PoolKey(c.account(), c.foundRows());
    }

    /** Pushes a connection whose idle time starts now. */
    void push(BackendConnection c) {
        stacks.computeIfAbsent(key(c), k -> new HashMap<>())
                .computeIfAbsent(c.eventLoop(), loop -> new ArrayDeque<>()).push(c);
        size++;
    }

    /** Takes the newest idle connection for {@code key}, preferring one on {@code loop}; null when none. */
    BackendConnection take(PoolKey key, EventLoop loop) {
        Map<EventLoop, ArrayDeque<BackendConnection>> byLoop = stacks.get(key);
        if (byLoop == null) {
            return null;
        }
        ArrayDeque<BackendConnection> chosen = byLoop.get(loop);
        if (chosen == null || chosen.isEmpty()) {
            chosen = null;
            for (ArrayDeque<BackendConnection> stack : byLoop.values()) {
                if (!stack.isEmpty() && (chosen == null
                        || stack.peek().idleSinceNanos() - chosen.peek().idleSinceNanos() > 0)) {
                    chosen = stack;
                }
            }
        }
        if (chosen == null) {
            return null;
        }
        size--;
        return chosen.pop();
    }

    /** Takes the idle connection unused longest among those of other keys, to make room; null when none. */
    BackendConnection takeOldestOther(PoolKey key) {
        BackendConnection oldest = null;
        for (Map.Entry<PoolKey, Map<EventLoop, ArrayDeque<BackendConnection>>> entry : stacks.entrySet()) {
            if (entry.getKey().equals(key)) {
                continue;
            }
            for (ArrayDeque<BackendConnection> stack : entry.getValue().values()) {
                BackendConnection bottom = stack.peekLast();
                if (bottom != null && (oldest == null || bottom.idleSinceNanos() - oldest.idleSinceNanos() < 0)) {
                    oldest = bottom;
                }
            }
        }
        if (oldest != null) {
            remove(oldest);
        }
        return oldest;
    }

    boolean remove(BackendConnection c) {
        Map<EventLoop, ArrayDeque<BackendConnection>> byLoop = stacks.get(key(c));
        ArrayDeque<BackendConnection> stack = byLoop == null ? null : byLoop.get(c.eventLoop());
        if (stack != null && stack.remove(c)) {
            size--;
            return true;
        }
        return false;
    }

    /** Removes and returns every idle connection that matches. */
    List<BackendConnection> removeIf(Predicate<BackendConnection> condition) {
        List<BackendConnection> removed = new ArrayList<>();
        for (Map<EventLoop, ArrayDeque<BackendConnection>> byLoop : stacks.values()) {
            for (ArrayDeque<BackendConnection> stack : byLoop.values()) {
                for (Iterator<BackendConnection> it = stack.iterator(); it.hasNext(); ) {
                    BackendConnection c = it.next();
                    if (condition.test(c)) {
                        it.remove();
                        removed.add(c);
                    }
                }
            }
        }
        size -= removed.size();
        return removed;
    }

    void forEach(Consumer<BackendConnection> action) {
        stacks.values().forEach(byLoop -> byLoop.values().forEach(stack -> stack.forEach(action)));
    }

    int size() {
        return size;
    }
}
