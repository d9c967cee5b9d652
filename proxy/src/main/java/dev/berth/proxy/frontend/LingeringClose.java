package dev.berth.proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection whose client may still be writing a packet nobody will take (past
 * {@code --max-packet-size}, or past the server's {@code max_allowed_packet} once the server closed): the last packets
 * go out and the write side is shut, so the client reads them and then the end of the stream, while whatever it still
 * sends is read and dropped here, ahead of every other handler, until it closes, {@link #DRAIN_BYTES} more arrived
 * or {@link #DRAIN_MILLIS} passed.
 *
 * <p>A plain close leaves the client's bytes unread, the kernel answers them with a reset, and a client still writing
 * (drivers write a whole packet before they read) reports only that (2006, 2013, "socket error"), never the ERR that
 * says what happened and which limit to raise.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    /** At most this much more is read once the ERR went out: room for a packet of tens of MB to end. */
    static final long DRAIN_BYTES = 64L << 20;
    /** At most this long: a client that goes on sending is cut off then. */
    static final long DRAIN_MILLIS = 3_000;

    private ScheduledFuture<?> deadline;
    private long drained;

    private LingeringClose() {
    }

    /** Writes {@code last} (or nothing, when null) after what is queued, shuts the write side and drains. */
    static void close(Channel channel, ByteBuf last) {
        if (!channel.isActive() || channel.pipeline().get(LingeringClose.class) != null) {
            ReferenceCountUtil.release(last);
            channel.close();
            return;
        }
        LingeringClose drain = new LingeringClose();
        channel.pipeline().addFirst("drain", drain);
        drain.deadline = channel.eventLoop().schedule(() -> {
            channel.close();
        }, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        channel.config().setAutoRead(true);
        channel.writeAndFlush(last != null ? last : Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (written.isSuccess() && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else if (!written.isSuccess()) {
                channel.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            drained += bytes.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (drained > DRAIN_BYTES) {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Nothing was passed on, so nothing after this handler has anything to complete.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset from the client, say: there is nothing left to tell it
    }
}
