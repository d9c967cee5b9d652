package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendException;
import java.util.concurrent.TimeUnit;

/**
 * Lets backend connects through: at most {@code maxConnecting} in flight, none during the back-off after a failure
 * (100 ms, doubling to 5 s, cleared by a success), so a backend that comes back meets no connect storm. Used under
 * the pool's lock.
 */
final class ConnectGate {
    private static final long BACKOFF_START_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long BACKOFF_MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final int maxConnecting;
    private int connecting;
    private long backoffNanos;
    private long backoffUntil;
    private BackendException lastFailure;

    ConnectGate(int maxConnecting) {
        this.maxConnecting = maxConnecting;
    }

    boolean mayConnect(long now) {
        return connecting < maxConnecting && !backingOff(now);
    }

    boolean backingOff(long now) {
        return now < backoffUntil;
    }

    /** How many more connects may start now. */
    int room(long now) {
        return backingOff(now) ? 0 : maxConnecting - connecting;
    }

    int connecting() {
        return connecting;
    }

    void started() {
        connecting++;
    }

    void succeeded() {
        connecting--;
        backoffNanos = 0;
        backoffUntil = 0;
    }

    /** Counts a failure and returns how long until the next connect may start. */
    long failed(long now, BackendException failure) {
        connecting--;
        backoffNanos = backoffNanos == 0 ? BACKOFF_START_NANOS : Math.min(BACKOFF_MAX_NANOS, backoffNanos * 2);
        backoffUntil = now + backoffNanos;
        lastFailure = failure;
        return backoffNanos;
    }

    /** A connect whose login the server refused (a wrong password): the backend is up, so no back-off. */
    long refusedLogin() {
        connecting--;
        return 0;
    }

    /** The failure that started the current back-off. */
    BackendException lastFailure() {
        return lastFailure;
    }
}
