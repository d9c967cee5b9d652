package dev.berth.proxy.pool;

import dev.berth.config.BackendConfig;
import dev.berth.config.PoolConfig;
import dev.berth.config.TransportKind;
import dev.berth.proxy.backend.BackendConnector;
import dev.berth.proxy.backend.BackendInfo;

import dev.berth.proxy.server.Transport;

/**
 * A pool that knows its backend, as after a first connection, without one: the frontend's handlers greet clients
 * with what it says. Nothing in a test that uses it should connect; if something does, the backend address given is
 * meant to be a closed port, so the attempt fails instead of reaching a server.
 */
public final class KnownBackendPool {
    private KnownBackendPool() {
    }

    public static BackendPool of(PoolConfig config, BackendConfig backend, BackendInfo info) {
        Transport nio = Transport.of(TransportKind.NIO);
        BackendPool pool = new BackendPool(config, new BackendConnector(backend, null, nio));
        pool.info(info);
        return pool;
    }
}
