package dev.berth.proxy.backend;

import dev.berth.mysql.codec.FrameChunk;
import dev.berth.mysql.codec.PacketFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command phase of a backend connection: hands each frame to its connection, which routes it. Large frames
 * (rows, long strings) come streamed, their chunks routed after their heads.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);
    /** How long a connection whose write side failed still reads what the server sent before it closed. */
    static final long LINGER_MILLIS = 1_000;
    private final BackendConnection connection;
    private Throwable failure;
    private ScheduledFuture<?> lingering;

    BackendHandler(BackendConnection connection) {
        this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        PacketFrameDecoder frames = ctx.pipeline().get(PacketFrameDecoder.class);
        if (frames != null) {
            frames.streamLargeFrames(true);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof FrameChunk chunk) {
                connection.onChunk(chunk);
            } else {
                connection.onFrame((ByteBuf) msg);
            }
        } catch (RuntimeException e) {
            // Includes a server that speaks when no response is due (an ERR before it drops an idle connection):
            // the stream can no longer be trusted.
            exceptionCaught(ctx, e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.onReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (lingering != null) {
            lingering.cancel(false);
        }
        log.debug("{} closed", connection);
        connection.onLost(failure != null ? failure : new IOException("the backend closed the connection"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
            log.debug("{} failed: {}", connection, cause.toString());
        }
        if (cause instanceof IOException && ctx.channel() instanceof DuplexChannel duplex && duplex.isOutputShutdown()
                && duplex.isActive()) {
            // A write failed because the server closed: whatever it sent first (the ERR that says why) is read
            // before the connection counts as lost. A server that sends nothing more is closed on after a second.
            if (lingering == null) {
                lingering = ctx.executor().schedule(() -> {
                    ctx.close();
                }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
            }
            return;
        }
        ctx.close();
    }
}
