package dev.berth.proxy.it.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition that becomes true asynchronously (a pool release, a server noticing a close). */
public final class Eventually {
    private Eventually() {
    }

    /** Waits until {@code condition} holds, failing with {@code state}'s description after {@code within}. */
    public static void await(Duration within, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + state.get());
            }
            Thread.sleep(10);
        }
    }
}
