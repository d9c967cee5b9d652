package dev.berth.proxy.backend;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/** Reads what the server says of itself in its greeting, then hangs up without logging in. */
final class GreetingProbe extends ChannelInboundHandlerAdapter {
    private final Promise<BackendInfo> promise;

    GreetingProbe(Promise<BackendInfo> promise) {
        this.promise = promise;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            ByteBuf payload = Packets.payload(frame);
            if (Packets.firstByteOf(payload) == 0xff) {
                promise.tryFailure(new BackendLogin.BackendRefusedException(ErrPacket.decode(payload)));
            } else {
                HandshakeV10 greeting = HandshakeV10.decode(payload);
                promise.trySuccess(new BackendInfo(greeting.serverVersion(), greeting.characterSet(),
                        greeting.capabilities()));
            }
        } catch (RuntimeException e) {
            promise.tryFailure(e);
        } finally {
            frame.release();
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        promise.tryFailure(new IOException("the backend closed the connection before its greeting"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        promise.tryFailure(cause);
        ctx.close();
    }
}
