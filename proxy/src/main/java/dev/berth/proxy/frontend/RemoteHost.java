package dev.berth.proxy.frontend;

import dev.berth.config.HostPort;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How Berth names a peer's address in errors, logs and listings. */
public final class RemoteHost {
    private RemoteHost() {
    }

    /** The peer's IP, as the server names a client ({@code 'app'@'10.0.0.5'}); {@code localhost} on a unix socket. */
    public static String of(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "localhost";
    }

    /** {@code ip:port} ({@code [v6]:port}) of an IP address; {@code otherwise} for any other (a unix socket). */
    public static String withPort(SocketAddress address, String otherwise) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? new HostPort(inet.getAddress().getHostAddress(), inet.getPort()).toString() : otherwise;
    }
}
