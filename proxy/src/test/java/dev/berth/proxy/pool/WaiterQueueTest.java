package dev.berth.proxy.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WaiterQueueTest {
    // Keys of the two CLIENT_FOUND_ROWS kinds of one account (the account itself plays no part in the queue).
    private static final PoolKey PLAIN = new PoolKey(null, false);
    private static final PoolKey FOUND_ROWS = new PoolKey(null, true);

    private static WaiterQueue.Waiter waiter(PoolKey key) {
        return new WaiterQueue.Waiter(null, null, key, 0);
    }

    @Test
    void waitersAreCountedPerKeyAsTheyComeAndGo() {
        WaiterQueue queue = new WaiterQueue();
        WaiterQueue.Waiter a = waiter(PLAIN);
        WaiterQueue.Waiter b = waiter(FOUND_ROWS);
        WaiterQueue.Waiter c = waiter(PLAIN);
        queue.add(a);
        queue.add(b);
        queue.add(c);
        assertEquals(2, queue.count(PLAIN));
        assertEquals(1, queue.count(FOUND_ROWS));

        assertSame(a, queue.next(PLAIN), "oldest first");
        assertEquals(1, queue.count(PLAIN));
        assertTrue(queue.remove(b));
        assertFalse(queue.remove(b), "gone already: not counted twice");
        assertEquals(0, queue.count(FOUND_ROWS));
        assertSame(c, queue.first(w -> true), "first leaves the waiter queued");
        assertEquals(1, queue.count(PLAIN));
        assertSame(c, queue.next(PLAIN));
        assertNull(queue.next(PLAIN));
        assertEquals(0, queue.count(PLAIN));
        assertEquals(0, queue.size());
    }
}
