package dev.berth.proxy.admin;

import dev.berth.config.HostPort;
import dev.berth.config.UserCredential;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.proxy.cli.VersionProvider;
import dev.berth.proxy.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Berth's admin console ({@code --admin-listen}, {@code --admin-user}): a MySQL-protocol server any MySQL client or
 * driver can log in to, as the one admin account (separate from the client accounts), with mysql_native_password.
 * Its statements go to {@link AdminCommands}; their answers come back as result sets, OKs and ERRs.
 *
 * <p>No TLS is offered: the console is meant to listen on loopback (or a network only operators reach), where the
 * scramble of mysql_native_password keeps the password off the wire. A client that asks for TLS anyway is refused
 * with an ERR.
 */
public final class AdminServer implements AutoCloseable {
    /** The largest packet the console reads; its statements are short. */
    static final int MAX_PACKET = 64 * 1024;
    /** What the greeting says the server is: a version drivers can parse, naming the console. */
    static final String SERVER_VERSION = "8.0.0-berth-admin-" + VersionProvider.version();

    private final Channel listener;
    private final ChannelGroup connections;

    private AdminServer(Channel listener, ChannelGroup connections) {
        this.listener = listener;
        this.connections = connections;
    }

    /** Binds the console to {@code address} on Berth's event loops and transport. */
    public static AdminServer start(HostPort address, UserCredential admin, AdminCommands commands,
                                    EventLoopGroup loops, Transport transport) throws InterruptedException {
        ChannelGroup connections = new DefaultChannelGroup("berth-admin", GlobalEventExecutor.INSTANCE);
        AtomicLong connectionIds = new AtomicLong();
        Channel listener = new ServerBootstrap()
                .group(loops)
                .channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        initPipeline(ch, admin, commands, connectionIds.incrementAndGet());
                    }
                })
                .bind(new InetSocketAddress(address.host(), address.port())).sync().channel();
        connections.add(listener);
        return new AdminServer(listener, connections);
    }

    /** An admin connection's handlers: frames, the login (then the console), and the handling of faults. */
    static void initPipeline(Channel ch, UserCredential admin, AdminCommands commands, long connectionId) {
        ch.pipeline().addLast("frames", new PacketFrameDecoder(MAX_PACKET));
        ch.pipeline().addLast("login", new AdminLogin(admin, commands, SERVER_VERSION, connectionId));
        ch.pipeline().addLast("faults", new AdminFaults());
    }

    /** Where the console listens: the port the system chose when asked for port 0. */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * Stops listening and closes every admin connection, waiting until that is done. Not to be called on an event
     * loop thread, which the closing may need.
     */
    @Override
    public void close() {
        connections.close().awaitUninterruptibly();
    }
}
