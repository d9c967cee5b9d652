package dev.berth.proxy.backend;

import static dev.berth.mysql.Golden.frame;

import dev.berth.config.BackendConfig;
import dev.berth.config.BackendTlsConfig;
import dev.berth.config.HostPort;
import dev.berth.mysql.codec.PacketFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.time.Duration;

/**
 * A real {@link BackendConnection} on an {@link EmbeddedChannel} standing for the server's socket: logged in by
 * {@link BackendLogin} against a scripted greeting and OK, so its capabilities are those Berth negotiates with that
 * server, and routed by {@link BackendHandler} from then on. Write the server's bytes to {@code channel()} inbound;
 * what Berth sends the server is its outbound.
 */
public final class EmbeddedBackend {
    /** The account Berth logs in to the backend with in these tests. */
    public static final String USER = "berth";
    public static final String PASSWORD = "secret";
    public static final BackendAccount ACCOUNT = BackendAccount.withPassword(USER, PASSWORD);
    /** An OK with status AUTOCOMMIT: how the server ends a successful login. */
    static final String LOGIN_OK = """
            00                 # header: OK
            00 00              # affected rows, last insert id
            02 00              # status: AUTOCOMMIT
            00 00              # warnings
            """;

    private EmbeddedBackend() {
    }

    /** The backend settings of these tests; port 1 is closed, so nothing here ever reaches a real server. */
    public static BackendConfig config() {
        return new BackendConfig(new HostPort("127.0.0.1", 1), USER, PASSWORD, BackendTlsConfig.OFF,
                Duration.ofSeconds(1));
    }

    /** A connection logged in to a server that greeted with {@code greeting} (a golden payload). */
    public static BackendConnection loggedIn(String greeting) {
        EmbeddedChannel server = new EmbeddedChannel();
        Promise<BackendConnection> promise = server.eventLoop().newPromise();
        server.pipeline().addLast("frames", new PacketFrameDecoder(Long.MAX_VALUE))
                .addLast("login", new BackendLogin(config(), ACCOUNT, null, false, 1, promise));
        server.writeInbound(frame(0, greeting));
        ByteBuf handshakeResponse = server.readOutbound();
        handshakeResponse.release();
        server.writeInbound(frame(2, LOGIN_OK));
        if (!promise.isSuccess()) {
            throw new AssertionError("scripted login failed", promise.cause());
        }
        return promise.getNow();
    }
}
