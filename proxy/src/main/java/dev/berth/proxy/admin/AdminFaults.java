package dev.berth.proxy.admin;

import dev.berth.mysql.codec.PacketTooLargeException;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.proxy.frontend.ErrFrames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in an admin connection's pipeline: whatever goes wrong on it (a packet over the bound, bytes that are not the
 * protocol, a fault in the console) gets an ERR, and the connection is closed.
 */
final class AdminFaults extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminFaults.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PacketTooLargeException tooLarge) {
            ErrFrames.refuse(ctx.channel(), 0, ErrPacket.of(ErrorCode.PACKET_TOO_LARGE,
                    "berth admin console: got a packet bigger than " + tooLarge.limit() + " bytes"));
        } else if (cause instanceof IOException) {
            log.debug("admin connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            log.warn("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
            ErrFrames.refuse(ctx.channel(), 0, ErrPacket.of(ErrorCode.MALFORMED_PACKET,
                    "berth admin console: " + cause.getMessage()));
        }
    }
}
