package dev.berth.proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * The first handler of a client's pipeline: counts the client's connection and the bytes on its socket as they
 * cross the wire (before TLS and compression, which go after it).
 */
@ChannelHandler.Sharable
public final class TrafficCounter extends ChannelDuplexHandler {
    public static final String NAME = "traffic";

    private final ClientMetrics metrics;

    public TrafficCounter(ClientMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        metrics.connected(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            metrics.received(bytes.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes) {
            metrics.sent(bytes.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
