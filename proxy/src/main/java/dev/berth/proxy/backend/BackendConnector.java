package dev.berth.proxy.backend;

import dev.berth.config.BackendConfig;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.proxy.server.Transport;
import dev.berth.proxy.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** Opens and logs in backend connections, each on the event loop it is asked for. */
public final class BackendConnector {
    private final BackendConfig config;
    private final SslContext sslContext;
    private final Transport transport;
    private final AtomicLong ids = new AtomicLong();

    public BackendConnector(BackendConfig config, SslContext sslContext, Transport transport) {
        this.config = config;
        this.sslContext = sslContext;
        this.transport = transport;
    }

    public BackendConfig config() {
        return config;
    }

    /**
     * Connects and logs in as {@code account}; the future fails with a {@link BackendException} naming the backend and
     * the cause.
     */
    public Future<BackendConnection> connect(EventLoop loop, BackendAccount account, boolean foundRows) {
        long id = ids.incrementAndGet();
        return withDeadline(loop, account, login -> new BackendLogin(config, account, sslContext, foundRows, id, login));
    }

    /**
     * Reads the server's greeting and hangs up: what Berth greets its clients with when it has no account of its own
     * to log in with and no client has logged in yet.
     */
    public Future<BackendInfo> probe(EventLoop loop) {
        return withDeadline(loop, null, GreetingProbe::new);
    }

    /** Connects with {@code handler} (made for the promise it completes), failing the promise at the deadline. */
    private <T> Future<T> withDeadline(EventLoop loop, BackendAccount account,
                                       Function<Promise<T>, ChannelHandler> handler) {
        Promise<T> attempt = loop.newPromise();
        Promise<T> result = loop.newPromise();
        int timeoutMillis = (int) config.connectTimeout().toMillis();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                // A failed write shuts only the write side: what the server sent before it closed (an ERR for a
                // packet past its max_allowed_packet) is still read. See BackendHandler.exceptionCaught.
                .option(ChannelOption.AUTO_CLOSE, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.WATER_MARK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, Transport.READS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frames", new PacketFrameDecoder(Long.MAX_VALUE));
                        ch.pipeline().addLast("login", handler.apply(attempt));
                    }
                });
        ChannelFuture connect = bootstrap.connect(config.address().host(), config.address().port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                attempt.tryFailure(f.cause());
            }
        });
        var timeout = loop.schedule(() -> {
            if (attempt.tryFailure(new TimeoutException("no login within " + timeoutMillis + " ms"))) {
                connect.channel().close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        attempt.addListener(f -> {
            timeout.cancel(false);
            if (f.isSuccess()) {
                result.setSuccess(attempt.getNow());
            } else {
                result.setFailure(describe(account, f.cause()));
            }
        });
        return result;
    }

    private BackendException describe(BackendAccount account, Throwable cause) {
        ErrPacket error = cause instanceof BackendLogin.BackendRefusedException refused ? refused.error : null;
        String why = error != null ? error.toString()
                : TlsContexts.rejectedCertificate(cause, config.tls())
                        .orElse(cause.getMessage() != null ? cause.getMessage() : cause.toString());
        String who = (account == null ? "" : account + "@") + config.address();
        return new BackendException("backend " + who + " unavailable: " + why,
                error, cause);
    }
}
