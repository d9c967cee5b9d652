package dev.berth.config;

/** When a client gives its backend connection back to the pool. */
public enum PoolMode {
    /** At disconnect. */
    SESSION
}
