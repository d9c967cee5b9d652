package dev.berth.proxy.admin;

import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.auth.Scrambles;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.AuthSwitchRequest;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.HandshakeResponse41;
import dev.berth.mysql.message.HandshakeV10;
import dev.berth.mysql.message.ColumnDefinition41;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.proxy.frontend.ErrFrames;
import dev.berth.proxy.frontend.RemoteHost;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The connection phase of an admin connection: the greeting, the handshake response, and mysql_native_password
 * against the one admin account (with an auth switch for a client that answered with another plugin, as MySQL 8's
 * clients do with caching_sha2_password). No TLS is offered, so an SSLRequest is refused with an ERR. Logged in, the
 * connection goes on with an {@link AdminConsole}.
 */
final class AdminLogin extends ChannelInboundHandlerAdapter {
    /** What the console speaks: protocol 4.1 with plugin auth; no TLS, compression or multi-statements. */
    static final long CAPABILITIES = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_FOUND_ROWS
            | Capabilities.CLIENT_LONG_FLAG | Capabilities.CLIENT_CONNECT_WITH_DB | Capabilities.CLIENT_PROTOCOL_41
            | Capabilities.CLIENT_INTERACTIVE | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
            | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH | Capabilities.CLIENT_CONNECT_ATTRS
            | Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | Capabilities.CLIENT_DEPRECATE_EOF;
    static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

    private enum State { HANDSHAKE, SWITCHED, DONE }

    private final UserCredential admin;
    private final AdminCommands commands;
    private final String serverVersion;
    private final long connectionId;
    private Channel channel;
    private State state = State.HANDSHAKE;
    private ScheduledFuture<?> timer;
    private byte[] seed;
    private long capabilities;
    private String user;

    AdminLogin(UserCredential admin, AdminCommands commands, String serverVersion, long connectionId) {
        this.admin = admin;
        this.commands = commands;
        this.serverVersion = serverVersion;
        this.connectionId = connectionId;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        timer = ctx.executor().schedule(this::timedOut, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        seed = Scrambles.newSeed();
        ByteBuf out = Packets.start(channel.alloc());
        new HandshakeV10(serverVersion, connectionId, seed, CAPABILITIES, ColumnDefinition41.UTF8MB4,
                AdminReplies.STATUS, NativePassword.NAME).encode(out);
        channel.writeAndFlush(Packets.finish(out, 0));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            switch (state) {
                case HANDSHAKE -> onHandshakeResponse(frame);
                case SWITCHED -> verify(MysqlBuffers.readEofBytes(Packets.payload(frame)),
                        Packets.sequenceId(frame) + 1);
                default -> {
                    // refused: the connection is closing
                }
            }
        } finally {
            frame.release();
        }
    }

    private void onHandshakeResponse(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        ByteBuf payload = Packets.payload(frame);
        if (HandshakeResponse41.isSslRequest(payload)) {
            refuse(sequence, ErrPacket.of(ErrorCode.BAD_HANDSHAKE, "berth admin console: TLS is not offered (the "
                    + "console is meant for loopback); connect without TLS"));
            return;
        }
        HandshakeResponse41 response;
        try {
            response = HandshakeResponse41.decode(payload);
        } catch (MalformedPacketException e) {
            refuse(sequence, ErrPacket.of(ErrorCode.BAD_HANDSHAKE, "berth admin console: bad handshake: "
                    + e.getMessage()));
            return;
        }
        capabilities = response.capabilities() & CAPABILITIES;
        user = response.username();
        String plugin = response.authPluginName();
        if (plugin != null && !plugin.equals(NativePassword.NAME)) {
            // Only a client with CLIENT_PLUGIN_AUTH names a plugin, so it can be switched.
            seed = Scrambles.newSeed();
            ByteBuf out = Packets.start(channel.alloc());
            new AuthSwitchRequest(NativePassword.NAME, seed).encode(out);
            channel.writeAndFlush(Packets.finish(out, sequence & 0xff));
            state = State.SWITCHED;
            return;
        }
        verify(response.authResponse(), sequence);
    }

    private void verify(byte[] authResponse, int sequence) {
        byte[] doubleHash = admin.nativeHash().orElseGet(() -> NativePassword.doubleHash(admin.password().orElseThrow()));
        if (!user.equals(admin.name()) || !NativePassword.verify(authResponse, seed, doubleHash)) {
            refuse(sequence, ErrPacket.of(ErrorCode.ACCESS_DENIED, String.format(
                    "Access denied for user '%s'@'%s' (using password: %s)", user, RemoteHost.of(channel),
                    authResponse.length > 0 ? "YES" : "NO")));
            return;
        }
        state = State.DONE;
        timer.cancel(false);
        channel.writeAndFlush(ErrFrames.ok(channel.alloc(), sequence, AdminReplies.STATUS, capabilities));
        channel.pipeline().replace(this, "console", new AdminConsole(commands, capabilities));
    }

    private void timedOut() {
        if (state != State.DONE) {
            // A client that has not answered the greeting (sequence 0; its answer would be 1) reads 2 next.
            refuse(2, ErrPacket.of(ErrorCode.READ_TIMEOUT, "berth admin console: no complete login within "
                    + HANDSHAKE_TIMEOUT_SECONDS + "s"));
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void refuse(int sequence, ErrPacket error) {
        state = State.DONE;
        ErrFrames.refuse(channel, sequence & 0xff, error);
    }
}
