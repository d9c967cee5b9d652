package dev.berth.proxy.backend;

import dev.berth.config.BackendConfig;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.proxy.server.Transport;
import dev.berth.proxy.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
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

    /** Connects and logs in; the future fails with a {@link BackendException} naming the backend and the cause. */
    public Future<BackendConnection> connect(EventLoop loop, boolean foundRows) {
        Promise<BackendConnection> login = loop.newPromise();
        Promise<BackendConnection> result = loop.newPromise();
        long id = ids.incrementAndGet();
        int timeoutMillis = (int) config.connectTimeout().toMillis();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.WATER_MARK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, Transport.READS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frames", new PacketFrameDecoder(Long.MAX_VALUE));
                        ch.pipeline().addLast("login", new BackendLogin(config, sslContext, foundRows, id, login));
                    }
                });
        ChannelFuture connect = bootstrap.connect(config.address().host(), config.address().port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                login.tryFailure(f.cause());
            }
        });
        var timeout = loop.schedule(() -> {
            if (login.tryFailure(new TimeoutException("no login within " + timeoutMillis + " ms"))) {
                connect.channel().close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        login.addListener(f -> {
            timeout.cancel(false);
            if (f.isSuccess()) {
                result.setSuccess(login.getNow());
            } else {
                result.setFailure(describe(f.cause()));
            }
        });
        return result;
    }

    private BackendException describe(Throwable cause) {
        ErrPacket error = cause instanceof BackendLogin.BackendRefusedException refused ? refused.error : null;
        String why = error != null ? error.toString()
                : TlsContexts.rejectedCertificate(cause, config.tls())
                        .orElse(cause.getMessage() != null ? cause.getMessage() : cause.toString());
        return new BackendException("backend " + config.user() + "@" + config.address() + " unavailable: " + why,
                error, cause);
    }
}
