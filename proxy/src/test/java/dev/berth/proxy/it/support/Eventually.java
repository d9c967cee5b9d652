package dev.berth.proxy.it.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something that becomes true asynchronously (a pool release, a server noticing a close) by polling it
 * against a deadline: the test goes on as soon as it holds, and a fixed sleep is never needed to "give it time".
 */
public final class Eventually {
    /** Between two looks at the condition: short against any deadline used here, long enough not to spin. */
    private static final long POLL_MILLIS = 10;

    private Eventually() {
    }

    /** Waits until {@code condition} holds, failing with {@code state}'s description after {@code within}. */
    public static void await(Duration within, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        if (!poll(within, condition)) {
            throw new AssertionError("not within " + within.toMillis() + " ms: " + state.get());
        }
    }

    /** Waits until {@code condition} holds or {@code within} has passed; returns whether it held. */
    public static boolean poll(Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS); // the polling interval, not a wait for the event
        }
        return true;
    }
}
