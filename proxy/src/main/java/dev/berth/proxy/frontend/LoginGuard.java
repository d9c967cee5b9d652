package dev.berth.proxy.frontend;

import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in a client's pipeline until it has logged in: admits the connection ({@code --max-client-conns}, a blocked
 * address) and counts every byte the client sends against {@link HandshakeMemory}, refusing it when it sends more than
 * a login takes or when room must be made for newer clients. It sees the bytes as they arrive, before TLS and
 * framing, so nothing a client sends before its login escapes the count.
 */
public final class LoginGuard extends ChannelInboundHandlerAdapter {
    public static final String NAME = "login-guard";
    private static final Logger log = LoggerFactory.getLogger(LoginGuard.class);

    private final ClientLimits limits;
    private HandshakeMemory.Login login;
    private boolean refused;

    LoginGuard(ClientLimits limits) {
        this.limits = limits;
    }

    /** The guard's work ends with the login: its charge is returned and it leaves the pipeline. */
    static void loggedIn(ChannelPipeline pipeline) {
        if (pipeline.get(NAME) != null) {
            pipeline.remove(NAME);
        }
    }

    /**
     * TLS goes right after the guard, which must go on seeing the bytes as they arrive, and after the
     * {@link TrafficCounter}, which counts them as they cross the wire.
     */
    static void addTls(ChannelPipeline pipeline, ChannelHandler tls) {
        if (pipeline.get(NAME) != null) {
            pipeline.addAfter(NAME, "tls", tls);
        } else if (pipeline.get(TrafficCounter.NAME) != null) {
            pipeline.addAfter(TrafficCounter.NAME, "tls", tls);
        } else {
            pipeline.addFirst("tls", tls);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ErrPacket refusal = limits.admit(ctx.channel());
        if (refusal != null) {
            // Refused before the greeting, as the server refuses: the handlers after this one never start.
            refused = true;
            ChannelPipeline pipeline = ctx.pipeline();
            while (pipeline.last() != this) {
                pipeline.removeLast();
            }
            log.debug("client from {} refused: {}", RemoteHost.of(ctx.channel()), refusal.message());
            ErrFrames.refuse(ctx.channel(), 0, refusal);
            return;
        }
        login = limits.handshakeMemory().enter(ctx.channel(), () -> evicted(ctx.channel()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused || !(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!limits.handshakeMemory().received(login, bytes.readableBytes())) {
            bytes.release();
            if (!refused) {
                refuse(ctx.channel(), ErrPacket.of(ErrorCode.BAD_HANDSHAKE, "berth: more than "
                        + HandshakeMemory.MAX_LOGIN_BYTES / 1024 + " KB sent without logging in"));
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void evicted(Channel channel) {
        if (!refused) {
            HandshakeMemory memory = limits.handshakeMemory();
            log.debug("client from {} refused to make room for newer logins ({} of {} bytes held)",
                    RemoteHost.of(channel), memory.charged(), memory.budget());
            refuse(channel, ErrPacket.of(ErrorCode.TOO_MANY_CONNECTIONS, "berth: too many clients logging in at once "
                    + "(--max-handshake-memory " + size(memory.budget()) + " held for them); this one had waited "
                    + "longest, try again"));
        }
    }

    private static String size(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + "M" : (bytes >> 10) + "K";
    }

    private void refuse(Channel channel, ErrPacket error) {
        refused = true;
        channel.config().setAutoRead(false);
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null && !tls.handshakeFuture().isDone()) {
            channel.close(); // no ERR may go in clear text after an SSLRequest, and no TLS session carries one yet
        } else {
            ErrFrames.refuse(channel, 0, error);
        }
    }

    /**
     * Netty's read buffer could not be allocated (direct memory is exhausted, which --max-handshake-memory is there to
     * prevent): the client is closed without an ERR, which would need memory too, and without a stack trace each.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof OutOfMemoryError) {
            refused = true;
            limits.outOfMemory(ctx.channel(), cause);
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        leave();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        leave();
    }

    private void leave() {
        if (login != null) {
            limits.handshakeMemory().leave(login);
        }
    }
}
