package dev.berth.proxy.server;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Netty's native epoll transport where the platform has it (fewer copies, unix sockets), NIO elsewhere. */
public record Transport(String name, Class<? extends ServerChannel> serverChannel,
                        Class<? extends ServerChannel> unixServerChannel, Class<? extends SocketChannel> socketChannel) {

    /**
     * Every client and backend channel's write buffer: above 256 KB waiting to be written the channel is not writable,
     * and the channel feeding it stops reading until it is back under 64 KB. What a connection pair holds in flight is
     * bounded by these, not by the size of the packets passing.
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    /**
     * Reads per channel per turn of its event loop: at most 2 (Netty's default is 16) of at most 64 KB. A small packet
     * takes one read either way; a channel streaming a large one yields its loop after 128 KB, so that 24 clients
     * streaming 20 MB each leave the loop free for another client's login every few milliseconds (its slowest login +
     * SELECT 1 in LargePacketStreamIT: median 240 ms over 7 runs, against 590 ms with 16 reads; same throughput).
     */
    public static final RecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(2);

    public static Transport best() {
        if (Epoll.isAvailable()) {
            return new Transport("epoll", EpollServerSocketChannel.class, EpollServerDomainSocketChannel.class,
                    EpollSocketChannel.class);
        }
        return new Transport("nio", NioServerSocketChannel.class, null, NioSocketChannel.class);
    }

    public EventLoopGroup newEventLoopGroup(int threads) {
        return name.equals("epoll") ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }
}
