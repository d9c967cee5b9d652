package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.proxy.pool.BackendPool;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every client session shares: configuration, the pool, the aligner, the TLS context (null when TLS is off),
 * and the live sessions by the connection id their greeting gave (for KILL).
 */
public record ServerContext(BerthConfig config, BackendPool pool, BackendAligner aligner, SslContext clientSsl,
                            AtomicLong connectionIds, Map<Long, ClientSession> sessions) {
    public ServerContext(BerthConfig config, BackendPool pool, SslContext clientSsl) {
        this(config, pool, new BackendAligner(), clientSsl, new AtomicLong(), new ConcurrentHashMap<>());
    }
}
