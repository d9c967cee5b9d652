package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.proxy.pool.BackendPool;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.atomic.AtomicLong;

/** What every client session shares: configuration, the pool, the TLS context (null when TLS is off). */
public record ServerContext(BerthConfig config, BackendPool pool, SslContext clientSsl, AtomicLong connectionIds) {
    public ServerContext(BerthConfig config, BackendPool pool, SslContext clientSsl) {
        this(config, pool, clientSsl, new AtomicLong());
    }
}
