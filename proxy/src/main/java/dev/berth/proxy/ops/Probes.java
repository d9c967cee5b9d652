package dev.berth.proxy.ops;

/** What the health endpoints ask of the running server. */
public interface Probes {
    /** Berth has bound its listeners (the startup probe). */
    boolean started();

    /**
     * Berth accepts clients and a backend connection can be had: not paused, not draining, the backend not
     * unreachable (the readiness probe).
     */
    boolean ready();

    /** Every event loop runs a task handed to it within a second (the liveness probe). */
    boolean live();
}
