package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.config.PoolMode;
import dev.berth.config.UserCredential;
import dev.berth.proxy.pool.BackendPool;
import io.netty.handler.ssl.SslContext;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every client session shares: configuration, the pool, the aligner, the TLS context (null when TLS is off),
 * the RSA key pair of caching_sha2_password's full authentication (null without it), the live sessions by the
 * connection id their greeting gave (for KILL), the limits on what clients may take, the accounts the server
 * verified (when it verifies logins), the answers to COM_STMT_PREPARE kept in transaction pool mode, and what is
 * counted of clients, the client accounts (the configuration's until a RELOAD replaces them), and whether Berth is
 * draining (each client is then closed once nothing of its is under way).
 */
public record ServerContext(BerthConfig config, BackendPool pool, BackendAligner aligner, SslContext clientSsl,
                            KeyPair rsaKeys, AtomicLong connectionIds, Map<Long, ClientSession> sessions,
                            ClientLimits limits, LearntAccounts learntAccounts,
                            PreparedResponses preparedResponses, ClientMetrics metrics,
                            AtomicReference<Map<String, UserCredential>> users, AtomicBoolean draining) {
    public ServerContext(BerthConfig config, BackendPool pool, SslContext clientSsl) {
        this(config, pool, clientSsl, null);
    }

    public ServerContext(BerthConfig config, BackendPool pool, SslContext clientSsl, KeyPair rsaKeys) {
        this(config, pool, new BackendAligner(config.pool().mode() == PoolMode.TRANSACTION), clientSsl, rsaKeys, new AtomicLong(), new ConcurrentHashMap<>(),
                new ClientLimits(config.limits()), new LearntAccounts(), new PreparedResponses(),
                new ClientMetrics(), new AtomicReference<>(config.users()),
                new AtomicBoolean());
    }

    /** The first handler of a new client's pipeline: it counts the client's traffic. */
    public TrafficCounter newTrafficCounter() {
        return new TrafficCounter(metrics);
    }

    /** The handler after the {@link TrafficCounter}, before the frame decoder and {@link HandshakeHandler}. */
    public LoginGuard newLoginGuard() {
        return new LoginGuard(limits);
    }
}
