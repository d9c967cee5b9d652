package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.OkPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/** Frames of the packets Berth answers clients with itself (also on its admin console). */
public final class ErrFrames {
    private ErrFrames() {
    }

    /** An ERR for the client of {@code channel}, counted in its {@link ClientMetrics} by code. */
    static ByteBuf of(Channel channel, int sequence, ErrPacket err) {
        ClientMetrics metrics = ClientMetrics.of(channel);
        if (metrics != null) {
            metrics.error(err.code());
        }
        return of(channel.alloc(), sequence, err);
    }

    public static ByteBuf of(ByteBufAllocator alloc, int sequence, ErrPacket err) {
        ByteBuf out = Packets.start(alloc);
        err.encode(out);
        return Packets.finish(out, sequence & 0xff);
    }

    public static ByteBuf ok(ByteBufAllocator alloc, int sequence, int statusFlags, long clientCapabilities) {
        return of(alloc, sequence, OkPacket.ok(statusFlags), clientCapabilities);
    }

    public static ByteBuf of(ByteBufAllocator alloc, int sequence, OkPacket ok, long clientCapabilities) {
        ByteBuf out = Packets.start(alloc);
        ok.encode(out, clientCapabilities);
        return Packets.finish(out, sequence & 0xff);
    }

    /** Sends an ERR and closes: the connection can't go on. */
    public static void refuse(Channel channel, int sequence, ErrPacket error) {
        if (channel.isActive()) {
            channel.writeAndFlush(of(channel, sequence, error)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
