package dev.berth.proxy.pool;

/** No backend connection became free within the acquire deadline. */
public final class PoolTimeoutException extends Exception {
    public PoolTimeoutException(String message) {
        super(message, null, false, false);
    }
}
