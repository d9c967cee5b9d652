package dev.berth.mysql.compress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A consumer whose destination is full after every message: it passes the message on and stops reading the channel,
 * as the proxy does while the other side is not writable.
 */
final class PauseAfterEachMessage extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.channel().config().setAutoRead(false);
        ctx.fireChannelRead(msg);
    }
}
