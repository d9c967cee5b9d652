package dev.berth.proxy.server;

import dev.berth.config.TransportKind;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.function.Supplier;

/**
 * The Netty transport serving every socket ({@code --transport}): io_uring where the kernel allows it (batched
 * submission: fewer syscalls, 0.78-0.89 x HAProxy's CPU per query where epoll took 1.10-1.17 x, docs/BENCHMARKS.md),
 * else native epoll (fewer copies than NIO, unix sockets), else NIO. Clients and their backend connections share its
 * event loops.
 */
public record Transport(String name, Supplier<IoHandlerFactory> handlers, Class<? extends ServerChannel> serverChannel,
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

    /**
     * The transport {@code kind} names.
     *
     * @throws IllegalArgumentException when it is not available here, with the reason
     */
    public static Transport of(TransportKind kind) {
        return switch (kind) {
            // A container whose seccomp profile refuses io_uring_setup gets epoll.
            case AUTO -> IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException("--transport epoll is not available here: "
                            + Epoll.unavailabilityCause().getMessage());
                }
                yield epoll();
            }
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw new IllegalArgumentException("--transport io_uring is not available here (kernel 5.14+ "
                            + "with io_uring enabled): " + IoUring.unavailabilityCause().getMessage());
                }
                yield ioUring();
            }
            case NIO -> nio();
        };
    }

    private static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler::newFactory, IoUringServerSocketChannel.class,
                IoUringServerDomainSocketChannel.class, IoUringSocketChannel.class);
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class,
                EpollServerDomainSocketChannel.class, EpollSocketChannel.class);
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler::newFactory, NioServerSocketChannel.class, null,
                NioSocketChannel.class);
    }

    public EventLoopGroup newEventLoopGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, handlers.get());
    }
}
