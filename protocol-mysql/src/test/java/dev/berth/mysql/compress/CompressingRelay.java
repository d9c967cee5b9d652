package dev.berth.mysql.compress;

import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;

/**
 * The smallest server that speaks the compressed protocol to a real client: it relays a MySQL server
 * byte for byte, except that it clears CLIENT_COMPRESS in the client's handshake response (so the server talks
 * plain) and installs {@link CompressionCodec} toward the client right after the login OK, as the proxy will.
 */
final class CompressingRelay implements AutoCloseable {
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final InetSocketAddress backend;
    private final Channel listener;

    CompressingRelay(InetSocketAddress backend) throws InterruptedException {
        this.backend = backend;
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.config().setAutoRead(false);
                        ch.pipeline().addLast("frames", new PacketFrameDecoder(1 << 24));
                        ch.pipeline().addLast(new ClientSide());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class ClientSide extends ChannelInboundHandlerAdapter {
        private Channel server;
        private boolean responseSent;
        private boolean compressing;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            server = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast("frames", new PacketFrameDecoder(Long.MAX_VALUE));
                            ch.pipeline().addLast(new ServerSide(client));
                        }
                    })
                    .connect(backend).addListener(f -> client.config().setAutoRead(f.isSuccess())).channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            if (!responseSent) {
                // The handshake response: its first payload byte holds CLIENT_COMPRESS (0x20).
                int flags = frame.readerIndex() + Packets.HEADER_SIZE;
                frame.setByte(flags, frame.getByte(flags) & ~(int) Capabilities.CLIENT_COMPRESS);
                responseSent = true;
            }
            server.writeAndFlush(frame);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            server.close();
        }

        private final class ServerSide extends ChannelInboundHandlerAdapter {
            private final Channel client;

            ServerSide(Channel client) {
                this.client = client;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf frame = (ByteBuf) msg;
                boolean loginOk = responseSent && !compressing && Packets.firstByte(frame) == 0x00;
                client.write(frame);
                if (loginOk) {
                    // The OK has passed the spot where the encoder goes: it leaves plain, what follows compressed.
                    CompressionCodec.install(client.pipeline(), "frames", CompressionAlgorithm.ZLIB, -1, 1 << 24);
                    compressing = true;
                }
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                client.flush();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                client.close();
            }
        }
    }
}
