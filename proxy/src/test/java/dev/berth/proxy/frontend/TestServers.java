package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.config.ClientAuthConfig;
import dev.berth.config.ClientTlsConfig;
import dev.berth.config.ListenAddress;
import dev.berth.config.PoolConfig;
import dev.berth.config.UserCredential;
import dev.berth.proxy.backend.BackendInfo;
import dev.berth.proxy.backend.EmbeddedBackend;
import dev.berth.proxy.pool.KnownBackendPool;
import io.netty.handler.ssl.SslContext;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;

/** Configuration and a {@link ServerContext} for frontend tests that run without a backend server. */
final class TestServers {
    /** What MariaDB 10.11.19's greeting says (the capture in protocol-mysql's HandshakeV10Test). */
    static final BackendInfo MARIADB = new BackendInfo("5.5.5-10.11.19-MariaDB-0+deb12u1", 45, 0x81fff7feL);
    /** What a MySQL 8.0 greeting says: utf8mb4_0900_ai_ci (255) by default. */
    static final BackendInfo MYSQL_8 = new BackendInfo("8.0.40", 255, 0xdfffffffL);

    static final ClientTlsConfig NO_TLS = new ClientTlsConfig(false, Optional.empty(), Optional.empty(), false);
    static final ClientTlsConfig TLS = ClientTlsConfig.selfSigned();
    static final ClientTlsConfig REQUIRE_TLS = new ClientTlsConfig(true, Optional.empty(), Optional.empty(), true);

    /** A plain-text account: verifies both password plugins. */
    static final UserCredential APP = UserCredential.parse("app:secret");
    /** The same password as a hash only ({@code SELECT PASSWORD('secret')} on MariaDB): native logins only. */
    static final UserCredential HASHED = UserCredential.parse("hashed:*14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
    /** An account without a password. */
    static final UserCredential ANON = UserCredential.parse("anon:");

    private TestServers() {
    }

    static BerthConfig config(String defaultAuthPlugin, ClientTlsConfig tls) {
        return config(ClientAuthConfig.of(defaultAuthPlugin), tls);
    }

    static BerthConfig config(ClientAuthConfig auth, ClientTlsConfig tls) {
        return new BerthConfig(List.of(new ListenAddress.Tcp("127.0.0.1", 0)), EmbeddedBackend.config(),
                BerthConfig.byName(List.of(APP, HASHED, ANON)), PoolConfig.defaults(), tls, auth,
                BerthConfig.DEFAULT_HANDSHAKE_TIMEOUT, BerthConfig.DEFAULT_MAX_PACKET_SIZE, 1);
    }

    /** A context whose pool knows {@code backend} but can't reach it; connection ids start at 1. */
    static ServerContext context(BerthConfig config, BackendInfo backend, SslContext clientSsl) {
        return context(config, backend, clientSsl, null);
    }

    static ServerContext context(BerthConfig config, BackendInfo backend, SslContext clientSsl, KeyPair rsaKeys) {
        return new ServerContext(config, KnownBackendPool.of(config.pool(), config.backend(), backend), clientSsl,
                rsaKeys);
    }
}
