package dev.berth.proxy.backend;

import dev.berth.config.BackendConfig;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.auth.RsaKeys;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.AuthMoreData;
import dev.berth.mysql.message.AuthSwitchRequest;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.HandshakeResponse41;
import dev.berth.mysql.message.HandshakeV10;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Berth logging in to the backend as a client: greeting, optional TLS, handshake response, then whatever the
 * server's auth plugin asks (auth switch, caching_sha2_password fast or full authentication). Replaces itself with a
 * {@link BackendHandler} on success.
 */
final class BackendLogin extends ChannelInboundHandlerAdapter {
    /** The fixed capability set every backend connection asks for; clients are translated to it. */
    static final long CAPABILITIES = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_LONG_FLAG
            | Capabilities.CLIENT_LOCAL_FILES | Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_TRANSACTIONS
            | Capabilities.CLIENT_SECURE_CONNECTION | Capabilities.CLIENT_MULTI_STATEMENTS
            | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PS_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH
            | Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | Capabilities.CLIENT_CONNECT_ATTRS
            | Capabilities.CLIENT_SESSION_TRACK | Capabilities.CLIENT_DEPRECATE_EOF;
    static final int UTF8MB4_GENERAL_CI = 45;
    private static final int MAX_PACKET = 1 << 30;

    private enum State { GREETING, TLS, AUTH, PUBLIC_KEY }

    private final BackendConfig config;
    private final SslContext sslContext;
    private final BackendAccount account;
    private final boolean foundRows;
    private final long id;
    private final Promise<BackendConnection> promise;
    private State state = State.GREETING;
    private HandshakeV10 greeting;
    private long capabilities;
    private String plugin;
    private byte[] seed;
    private int sequence;
    private boolean secure;

    BackendLogin(BackendConfig config, BackendAccount account, SslContext sslContext, boolean foundRows, long id,
                 Promise<BackendConnection> promise) {
        this.config = config;
        this.sslContext = sslContext;
        this.account = account;
        this.foundRows = foundRows;
        this.id = id;
        this.promise = promise;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            sequence = Packets.sequenceId(frame);
            ByteBuf payload = Packets.payload(frame);
            switch (state) {
                case GREETING -> onGreeting(ctx, payload);
                case AUTH -> onAuthResult(ctx, payload);
                case PUBLIC_KEY -> onPublicKey(ctx, payload);
                case TLS -> throw new IOException("backend sent data during the TLS handshake");
            }
        } catch (Exception e) {
            fail(ctx, e);
        } finally {
            frame.release();
        }
    }

    private void onGreeting(ChannelHandlerContext ctx, ByteBuf payload) throws IOException {
        if (Packets.firstByteOf(payload) == ErrPacket.HEADER) {
            ErrPacket err = ErrPacket.decode(payload);
            throw new BackendRefusedException(err);
        }
        greeting = HandshakeV10.decode(payload);
        capabilities = CAPABILITIES & greeting.capabilities();
        if (foundRows) {
            capabilities |= Capabilities.CLIENT_FOUND_ROWS;
        }
        if (!Capabilities.has(capabilities, Capabilities.CLIENT_PROTOCOL_41)) {
            throw new IOException("the backend does not speak protocol 4.1 (" + greeting.serverVersion() + ")");
        }
        plugin = greeting.authPluginName() == null ? NativePassword.NAME : greeting.authPluginName();
        seed = greeting.seed();
        if (config.tls().enabled()) {
            if (!Capabilities.has(greeting.capabilities(), Capabilities.CLIENT_SSL)) {
                throw new IOException("--backend-tls is set but the backend offers no TLS");
            }
            capabilities |= Capabilities.CLIENT_SSL;
            ByteBuf request = Packets.start(ctx.alloc());
            HandshakeResponse41.writeFixedPart(request, capabilities, MAX_PACKET, UTF8MB4_GENERAL_CI);
            ctx.writeAndFlush(Packets.finish(request, ++sequence));
            SslHandler ssl = sslContext.newHandler(ctx.alloc(), config.address().host(), config.address().port());
            ctx.pipeline().addFirst(ssl);
            state = State.TLS;
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    secure = true;
                    sendHandshakeResponse(ctx);
                } else {
                    fail(ctx, f.cause());
                }
            });
        } else {
            sendHandshakeResponse(ctx);
        }
    }

    private void sendHandshakeResponse(ChannelHandlerContext ctx) {
        HandshakeResponse41 response = new HandshakeResponse41(capabilities, MAX_PACKET, UTF8MB4_GENERAL_CI,
                account.user(), scramble(plugin, seed), null, plugin, BackendAttributes.LOGIN);
        ByteBuf out = Packets.start(ctx.alloc());
        response.encode(out);
        ctx.writeAndFlush(Packets.finish(out, ++sequence));
        state = State.AUTH;
    }

    private void onAuthResult(ChannelHandlerContext ctx, ByteBuf payload) throws IOException {
        int first = Packets.firstByteOf(payload);
        switch (first) {
            case 0x00 -> succeed(ctx);
            case ErrPacket.HEADER -> throw new BackendRefusedException(ErrPacket.decode(payload));
            case AuthSwitchRequest.HEADER -> {
                AuthSwitchRequest request = AuthSwitchRequest.decode(payload);
                plugin = request.pluginName();
                seed = request.pluginData();
                reply(ctx, scramble(plugin, seed));
            }
            case AuthMoreData.HEADER -> onMoreData(ctx, AuthMoreData.decode(payload).data());
            default -> throw new IOException(String.format("unexpected 0x%02x during authentication", first));
        }
    }

    private void onMoreData(ChannelHandlerContext ctx, byte[] data) throws IOException {
        if (!plugin.equals(CachingSha2Password.NAME) || data.length == 0) {
            throw new IOException("unexpected auth data for plugin " + plugin);
        }
        switch (data[0]) {
            case CachingSha2Password.FAST_AUTH_SUCCESS -> {
                // The OK follows.
            }
            case CachingSha2Password.PERFORM_FULL_AUTHENTICATION -> {
                if (secure) {
                    reply(ctx, CachingSha2Password.cleartextPassword(password()));
                } else {
                    reply(ctx, new byte[] {CachingSha2Password.REQUEST_PUBLIC_KEY});
                    state = State.PUBLIC_KEY;
                }
            }
            default -> throw new IOException("unexpected caching_sha2_password status " + data[0]);
        }
    }

    private void onPublicKey(ChannelHandlerContext ctx, ByteBuf payload) throws IOException {
        if (Packets.firstByteOf(payload) == ErrPacket.HEADER) {
            throw new BackendRefusedException(ErrPacket.decode(payload));
        }
        byte[] pem = AuthMoreData.decode(payload).data();
        reply(ctx, CachingSha2Password.encryptPassword(password(), seed, RsaKeys.parsePem(pem)));
        state = State.AUTH;
    }

    private void reply(ChannelHandlerContext ctx, byte[] data) {
        ByteBuf out = Packets.start(ctx.alloc());
        out.writeBytes(data);
        ctx.writeAndFlush(Packets.finish(out, ++sequence));
    }

    private byte[] scramble(String pluginName, byte[] pluginSeed) {
        return switch (pluginName) {
            case CachingSha2Password.NAME -> account.scramble(CachingSha2Password.NAME, pluginSeed);
            default -> account.scramble(NativePassword.NAME, pluginSeed);
        };
    }

    private byte[] password() {
        return account.password();
    }

    private void succeed(ChannelHandlerContext ctx) {
        BackendInfo info = new BackendInfo(greeting.serverVersion(), greeting.characterSet(), greeting.capabilities());
        BackendConnection connection = new BackendConnection(ctx.channel(), id, greeting.connectionId(), capabilities,
                info, account);
        // The handshake asked for utf8mb4; that, not the server default in the greeting, is the session's now.
        connection.characterSet(UTF8MB4_GENERAL_CI);
        connection.authenticatedWith(plugin, greeting.seed());
        ctx.pipeline().replace(this, "backend", new BackendHandler(connection));
        if (!promise.trySuccess(connection)) {
            ctx.close();
        }
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        promise.tryFailure(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        promise.tryFailure(new IOException("the backend closed the connection during login"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    /** The backend answered the login with an ERR. */
    static final class BackendRefusedException extends IOException {
        final transient ErrPacket error;

        BackendRefusedException(ErrPacket error) {
            super("the backend refused the login: " + error);
            this.error = error;
        }
    }
}
