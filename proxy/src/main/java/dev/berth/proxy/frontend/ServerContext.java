package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.proxy.pool.BackendPool;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every client session shares: configuration, the pool, the aligner, the TLS context (null when TLS is off),
 * the live sessions by the connection id their greeting gave (for KILL), and the limits on what clients may take.
 */
public record ServerContext(BerthConfig config, BackendPool pool, BackendAligner aligner, SslContext clientSsl,
                            AtomicLong connectionIds, Map<Long, ClientSession> sessions, ClientLimits limits) {
    public ServerContext(BerthConfig config, BackendPool pool, SslContext clientSsl) {
        this(config, pool, new BackendAligner(config.backend()), clientSsl, new AtomicLong(), new ConcurrentHashMap<>(),
                new ClientLimits(config.limits()));
    }

    /** The first handler of a new client's pipeline, before its frame decoder and {@link HandshakeHandler}. */
    public LoginGuard newLoginGuard() {
        return new LoginGuard(limits);
    }
}
