package dev.berth.proxy.server;

import dev.berth.config.BerthConfig;
import java.net.SocketAddress;
import java.util.List;

/** The running proxy: listeners, the backend pool and the event loops they share. */
public final class BerthServer implements AutoCloseable {
    private final BerthConfig config;

    public BerthServer(BerthConfig config) {
        this.config = config;
    }

    /** Binds every listen address; throws when one cannot be bound. */
    public void start() throws InterruptedException {
        throw new UnsupportedOperationException("being written: " + config.listen());
    }

    /** The addresses actually bound (a port of 0 in the configuration is resolved here). */
    public List<SocketAddress> boundAddresses() {
        return List.of();
    }

    /** Blocks until {@link #close()} has been called and the server has stopped. */
    public void awaitTermination() throws InterruptedException {
    }

    @Override
    public void close() {
    }
}
