package dev.berth.proxy.frontend;

import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.Scrambles;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.compress.CompressionAlgorithm;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.PacketTooLargeException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.AuthMoreData;
import dev.berth.mysql.message.AuthSwitchRequest;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.HandshakeResponse41;
import dev.berth.mysql.message.HandshakeV10;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.proxy.backend.BackendAccount;
import java.nio.charset.StandardCharsets;
import dev.berth.proxy.pool.PoolKey;
import dev.berth.proxy.backend.BackendException;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.BackendInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection phase toward a client: Berth's greeting, the optional switch to TLS, the handshake response and
 * authentication (with one auth switch when the client's plugin can't verify its account). On success it hands the
 * channel to a {@link CommandPhase}. A COM_CHANGE_USER comes back here to authenticate the new account.
 */
public final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);
    private static final RateLimitedLog DENIED = new RateLimitedLog(log);
    private static final RateLimitedLog TIMED_OUT = new RateLimitedLog(log);
    /**
     * The largest packet before login. Real handshake responses are 110 (PHP mysqli) to 280 bytes (Connector/J with
     * connection attributes); the bound leaves room for many more attributes, and keeps what a client that never
     * finishes its packet can make Berth hold small (see {@link HandshakeMemory}).
     */
    public static final int MAX_HANDSHAKE_PACKET = 8 * 1024;

    private enum State { GREETING, HANDSHAKE, AUTH_EXCHANGE, DONE }

    private final ServerContext server;
    private Channel channel;
    private ClientSession session;
    private ClientAuthenticator authenticator;
    private State state = State.GREETING;
    private ScheduledFuture<?> handshakeTimer;
    private boolean secure;
    private String user;
    private int characterSet;
    private String schema;

    public HandshakeHandler(ServerContext server) {
        this.server = server;
    }

    /** For a COM_CHANGE_USER: authenticates a new account on a session that is already logged in. */
    HandshakeHandler(ServerContext server, ClientSession session, ClientAuthenticator authenticator) {
        this.server = server;
        this.session = session;
        this.channel = session.channel();
        this.authenticator = authenticator;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        session = new ClientSession(server.connectionIds().incrementAndGet(), channel);
        server.sessions().put(session.connectionId(), session);
        long timeout = server.config().handshakeTimeout().toMillis();
        handshakeTimer = ctx.executor().schedule(this::handshakeTimedOut, timeout, TimeUnit.MILLISECONDS);
        log.debug("client {} connected from {}", session.connectionId(), channel.remoteAddress());
        server.pool().info(channel.eventLoop()).addListener((Future<BackendInfo> f) -> {
            if (!f.isSuccess()) {
                refuse(0, ClientErrors.acquireError(f.cause()));
            } else if (channel.isActive()) {
                sendGreeting(f.getNow());
            }
        });
    }

    private void sendGreeting(BackendInfo info) {
        byte[] seed = Scrambles.newSeed();
        session.greeted(seed);
        authenticator = new ClientAuthenticator(server.config(), server.users().get(), info, server.rsaKeys(),
                server.learntAccounts());
        long capabilities = Capabilities.PROXY_SUPPORTED | Capabilities.COMPRESSION;
        if (server.clientSsl() == null) {
            capabilities &= ~Capabilities.CLIENT_SSL;
        }
        HandshakeV10 greeting = new HandshakeV10(info.serverVersion(), session.connectionId(), seed, capabilities,
                info.characterSet(), ServerStatus.AUTOCOMMIT, authenticator.defaultPlugin());
        ByteBuf out = Packets.start(channel.alloc());
        greeting.encode(out);
        channel.writeAndFlush(Packets.finish(out, 0));
        state = State.HANDSHAKE;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            switch (state) {
                case HANDSHAKE -> onHandshakeResponse(frame);
                case AUTH_EXCHANGE -> onAuthResponse(frame);
                default -> {
                    // nothing is expected from the client now
                }
            }
        } finally {
            frame.release();
        }
    }

    private void onHandshakeResponse(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame);
        ByteBuf payload = Packets.payload(frame);
        if (HandshakeResponse41.isSslRequest(payload)) {
            if (server.clientSsl() == null || secure) {
                refuse(sequence + 1, ErrPacket.of(ErrorCode.BAD_HANDSHAKE, "berth: TLS was not offered; "
                        + "connect without TLS or start Berth with --tls"));
                return;
            }
            secure = true;
            startTls();
            return;
        }
        if (server.config().clientTls().required() && !secure) {
            refuse(sequence + 1, ErrPacket.of(ErrorCode.SECURE_TRANSPORT_REQUIRED,
                    "berth: connections without TLS are refused (--require-tls); enable TLS in the client"));
            return;
        }
        HandshakeResponse41 response;
        try {
            response = HandshakeResponse41.decode(payload);
        } catch (MalformedPacketException e) {
            refuse(sequence + 1, ErrPacket.of(ErrorCode.BAD_HANDSHAKE, "berth: bad handshake: " + e.getMessage()));
            return;
        }
        long offered = Capabilities.PROXY_SUPPORTED | Capabilities.CLIENT_SSL | Capabilities.COMPRESSION;
        session.capabilities(response.capabilities() & offered);
        session.attributes(response.attributes());
        CompressionAlgorithm compression = CompressionAlgorithm.negotiate(session.capabilities()).orElse(null);
        session.compression(compression, compression == CompressionAlgorithm.ZSTD
                ? response.zstdCompressionLevel() : -1);
        authenticator.clientAttributes(response.attributes());
        verify(response.username(), response.characterSet(), response.database(), response.authPluginName(),
                response.authResponse(), sequence + 1);
    }

    /**
     * Puts TLS in front of the frame decoder. A client may send its TLS ClientHello in the same write as the
     * SSLRequest; those bytes already sit in the frame decoder, so they are taken out and fed to the TLS handler.
     * Reading pauses until then, so nothing read later can overtake them.
     */
    private void startTls() {
        ChannelPipeline pipeline = channel.pipeline();
        ByteBuf early = pipeline.get(PacketFrameDecoder.class).takeUnframed();
        channel.config().setAutoRead(false);
        channel.eventLoop().execute(() -> {
            LoginGuard.addTls(pipeline, server.clientSsl().newHandler(channel.alloc()));
            if (early.isReadable()) {
                pipeline.fireChannelRead(early);
                pipeline.fireChannelReadComplete();
            } else {
                early.release();
            }
            channel.config().setAutoRead(true);
        });
    }

    /**
     * Checks a login or a COM_CHANGE_USER: accepted, asked to switch plugins once, or denied.
     *
     * @param plugin the plugin the client answered with (null: mysql_native_password)
     */
    void verify(String user, int characterSet, String schema, String plugin, byte[] authResponse, int sequence) {
        this.user = user;
        this.characterSet = characterSet;
        this.schema = schema;
        onVerdict(authenticator.start(user, plugin, authResponse, session.seed(), secureTransport()), sequence,
                !CachingSha2Password.isNoPassword(authResponse));
    }

    /** The client's answer to an auth switch or to AuthMoreData. */
    private void onAuthResponse(ByteBuf frame) {
        byte[] response = MysqlBuffers.readEofBytes(Packets.payload(frame));
        onVerdict(authenticator.next(response), Packets.sequenceId(frame) + 1,
                !CachingSha2Password.isNoPassword(response));
    }

    /** TLS, or a unix socket: where caching_sha2_password's full authentication takes the password in clear. */
    private boolean secureTransport() {
        return channel.pipeline().get(SslHandler.class) != null || channel.localAddress() instanceof DomainSocketAddress;
    }

    private void onVerdict(ClientAuthenticator.Verdict verdict, int sequence, boolean usedPassword) {
        ErrPacket blocked = server.limits().loginBlocked(channel);
        if (blocked != null) {
            // Whatever the verdict: a blocked address learns nothing from its guesses.
            refuse(sequence, blocked);
            return;
        }
        if (verdict instanceof ClientAuthenticator.Accepted accepted) {
            if (accepted.fastAuth()) {
                writeAuthMoreData(new byte[] {CachingSha2Password.FAST_AUTH_SUCCESS}, sequence++);
            }
            log.debug("client {} logged in as {} with {}", session.connectionId(), user, accepted.plugin());
            BackendAccount service = server.pool().serviceAccount();
            session.account(service != null ? service : accepted.backendAccount());
            loggedIn(sequence);
        } else if (verdict instanceof ClientAuthenticator.SwitchTo switchTo
                && session.has(Capabilities.CLIENT_PLUGIN_AUTH)) {
            ByteBuf out = Packets.start(channel.alloc());
            new AuthSwitchRequest(switchTo.plugin(), authenticator.seed()).encode(out);
            channel.writeAndFlush(Packets.finish(out, sequence));
            state = State.AUTH_EXCHANGE;
        } else if (verdict instanceof ClientAuthenticator.ServerCheck check) {
            checkWithServer(check, sequence);
        } else if (verdict instanceof ClientAuthenticator.MoreData more) {
            log.debug("client {}: caching_sha2_password full authentication, {} bytes of auth data",
                    session.connectionId(), more.data().length);
            writeAuthMoreData(more.data(), sequence);
            channel.flush();
            state = State.AUTH_EXCHANGE;
        } else {
            DENIED.warn("client {} from {} denied as '{}'", session.connectionId(), session.host(), user);
            server.metrics().loginFailed();
            refuseAfter(server.limits().loginFailed(channel), sequence, ErrPacket.of(ErrorCode.ACCESS_DENIED,
                    String.format("Access denied for user '%s'@'%s' (using password: %s)", user, session.host(),
                            usedPassword ? "YES" : "NO")));
        }
    }

    /**
     * A login no account of Berth's knows: the server decides, by a backend login as the client's account with the
     * password it gave. Accepted, the account is learnt (later logins are checked here) and the connection goes to
     * the pool, where the client's first command finds it; refused, the client is denied as by the server.
     */
    private void checkWithServer(ClientAuthenticator.ServerCheck check, int sequence) {
        channel.config().setAutoRead(false);
        String password = new String(check.password(), StandardCharsets.UTF_8);
        BackendAccount account = BackendAccount.withPassword(check.user(), password);
        server.pool().acquire(channel.eventLoop(), new PoolKey(account, session.foundRows()))
                .addListener((Future<BackendConnection> f) -> {
                    channel.config().setAutoRead(true);
                    if (f.isSuccess()) {
                        server.pool().release(f.getNow());
                        server.learntAccounts().learn(check.user(), check.password());
                        UserCredential user = new UserCredential(check.user(), Optional.of(check.password()),
                                Optional.empty());
                        onVerdict(new ClientAuthenticator.Accepted(user, CachingSha2Password.NAME, false, account),
                                sequence, true);
                    } else if (f.cause() instanceof BackendException e && e.accessDenied()) {
                        server.learntAccounts().forget(check.user());
                        onVerdict(new ClientAuthenticator.Denied(), sequence, check.password().length > 0);
                    } else {
                        refuse(sequence, ClientErrors.acquireError(f.cause()));
                    }
                });
    }

    private void writeAuthMoreData(byte[] data, int sequence) {
        ByteBuf out = Packets.start(channel.alloc());
        if (authenticator.moreDataWithoutHeader()) {
            new AuthMoreData(data).encodeWithoutHeader(out);
        } else {
            new AuthMoreData(data).encode(out);
        }
        channel.write(Packets.finish(out, sequence));
    }

    /** A throttled denial: nothing more is read meanwhile, so the wait holds no buffers. */
    private void refuseAfter(long millis, int sequence, ErrPacket error) {
        if (millis == 0) {
            refuse(sequence, error);
            return;
        }
        state = State.DONE;
        channel.config().setAutoRead(false);
        channel.eventLoop().schedule(() -> refuse(sequence, error), millis, TimeUnit.MILLISECONDS);
    }

    /** Authentication passed: the command phase takes over and tells the client OK once its session is ready. */
    private void loggedIn(int sequence) {
        ErrPacket overLimit = server.limits().admitUser(session, user);
        if (overLimit != null) {
            refuse(sequence, overLimit);
            return;
        }
        LoginGuard.loggedIn(channel.pipeline());
        state = State.DONE;
        session.loggedIn(user, characterSet, schema);
        channel.pipeline().get(PacketFrameDecoder.class).setMaxPacketSize(server.config().maxPacketSize());
        CommandPhase commands = new CommandPhase(server, session, authenticator);
        channel.pipeline().replace(this, "commands", commands);
        commands.start(sequence);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
    }

    private void handshakeTimedOut() {
        if (state != State.DONE) {
            TIMED_OUT.warn("client {} from {}: no complete login within {} ms (--handshake-timeout)",
                    session.connectionId(), session.host(), server.config().handshakeTimeout().toMillis());
            refuse(2, ErrPacket.of(ErrorCode.READ_TIMEOUT, "berth: no complete login within "
                    + server.config().handshakeTimeout().toSeconds() + "s (--handshake-timeout)"));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.DONE;
        server.sessions().remove(session.connectionId(), session);
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        log.debug("client {} disconnected", session.connectionId());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PacketTooLargeException tooLarge) {
            refuse(0, ErrPacket.of(ErrorCode.PACKET_TOO_LARGE, "berth: got a packet bigger than "
                    + tooLarge.limit() + " bytes"));
        } else if (cause instanceof DecoderException || cause instanceof MalformedPacketException) {
            refuse(0, ErrPacket.of(ErrorCode.BAD_HANDSHAKE, "berth: malformed packet: " + cause.getMessage()));
        } else {
            ErrPacket error = ClientErrors.fault(session, server.limits(), cause);
            if (error == null) {
                ctx.close();
            } else {
                refuse(0, error);
            }
        }
    }

    private void refuse(int sequence, ErrPacket error) {
        state = State.DONE;
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null && !tls.handshakeFuture().isDone()) {
            // No TLS session to carry the ERR, and none may go in clear text after an SSLRequest: just close.
            channel.close();
            return;
        }
        ErrFrames.refuse(channel, sequence, error);
    }
}
