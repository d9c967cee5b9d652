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
 * The idle connections: a stack per event loop and CLIENT_FOUND_ROWS kind, so the newest idle connection on a
 * client's own loop is found at once (a client and its backend on one loop hand packets over without crossing
 * threads), and the newest anywhere next (LIFO, so surplus connections age out). Used under the pool's lock.
 */
final class IdleStacks {
    private final Map<EventLoop, ArrayDeque<BackendConnection>> withFoundRows = new HashMap<>();
    private final Map<EventLoop, ArrayDeque<BackendConnection>> withoutFoundRows = new HashMap<>();
    private int size;

    private Map<EventLoop, ArrayDeque<BackendConnection>> kind(boolean foundRows) {
        return foundRows ? withFoundRows : withoutFoundRows;
    }

    /** Pushes a connection whose idle time starts now. */
    void push(BackendConnection c) {
        kind(c.foundRows()).computeIfAbsent(c.eventLoop(), loop -> new ArrayDeque<>()).push(c);
        size++;
    }

    /** Takes the newest idle connection of a kind, preferring one on {@code loop} (null: any); null when none. */
    BackendConnection take(boolean foundRows, EventLoop loop) {
        Map<EventLoop, ArrayDeque<BackendConnection>> stacks = kind(foundRows);
        ArrayDeque<BackendConnection> chosen = loop == null ? null : stacks.get(loop);
        if (chosen == null || chosen.isEmpty()) {
            chosen = null;
            for (ArrayDeque<BackendConnection> stack : stacks.values()) {
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

    boolean remove(BackendConnection c) {
        ArrayDeque<BackendConnection> stack = kind(c.foundRows()).get(c.eventLoop());
        if (stack != null && stack.remove(c)) {
            size--;
            return true;
        }
        return false;
    }

    /** Removes and returns every idle connection that matches. */
    List<BackendConnection> removeIf(Predicate<BackendConnection> condition) {
        List<BackendConnection> removed = new ArrayList<>();
        for (Map<EventLoop, ArrayDeque<BackendConnection>> stacks : List.of(withFoundRows, withoutFoundRows)) {
            for (ArrayDeque<BackendConnection> stack : stacks.values()) {
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
        withFoundRows.values().forEach(stack -> stack.forEach(action));
        withoutFoundRows.values().forEach(stack -> stack.forEach(action));
    }

    int size() {
        return size;
    }
}
