package dev.berth.config;

/** When a client gives its backend connection back to the pool. */
public enum PoolMode {
    /** At disconnect: the client holds one backend connection from its first command on. */
    SESSION,
    /**
     * After each statement that leaves no transaction open and nothing that cannot be moved to another connection
     * (docs/ARCHITECTURE.md, "Transaction pooling"): idle clients hold nothing.
     */
    TRANSACTION
}
