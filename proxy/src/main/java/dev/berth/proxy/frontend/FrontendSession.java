package dev.berth.proxy.frontend;

import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.Scrambles;
import dev.berth.mysql.codec.MalformedPacketException;
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
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.mysql.response.ResponseTracker;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.BackendException;
import dev.berth.proxy.backend.BackendInfo;
import dev.berth.proxy.backend.InternalCommand;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.PoolTimeoutException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: Berth's greeting and authentication, then the command phase in session pool mode: the
 * client takes a backend connection at its first command that needs one and keeps it until it leaves; the
 * connection is then reset and returned, or closed when it was left mid-command.
 *
 * <p>Runs on the client channel's event loop. Responses flow back through a {@link ClientResponseWriter} on the
 * backend's loop; the few fields it touches from there are volatile.
 */
public final class FrontendSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontendSession.class);
    /** A handshake response with attributes is a few hundred bytes; anything near this is not a client. */
    public static final int MAX_HANDSHAKE_PACKET = 64 * 1024;

    private enum State { GREETING, HANDSHAKE, AUTH_SWITCH, LOGIN, COMMAND, CLOSED }

    private record PendingFrame(ByteBuf frame, int command) {
    }

    private final ServerContext server;
    private final BackendPool pool;
    private ClientAuthenticator authenticator;
    private Channel channel;
    private State state = State.GREETING;
    private ScheduledFuture<?> handshakeTimer;
    private long connectionId;
    private byte[] seed;
    private long clientCapabilities;
    private boolean secure;
    private String userName;
    private int characterSet;
    private volatile String schema;
    private String switchPlugin;
    private byte[] switchSeed;

    private ClientResponseWriter writer;
    private volatile BackendConnection backend;
    private boolean acquiring;
    private final ArrayDeque<PendingFrame> pending = new ArrayDeque<>();
    private boolean clientContinuation;
    private volatile boolean localInfile;

    public FrontendSession(ServerContext server) {
        this.server = server;
        this.pool = server.pool();
    }

    // ---- connection phase -------------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        connectionId = server.connectionIds().incrementAndGet();
        server.sessions().put(connectionId, this);
        long timeout = server.config().handshakeTimeout().toMillis();
        handshakeTimer = ctx.executor().schedule(this::handshakeTimedOut, timeout, TimeUnit.MILLISECONDS);
        log.debug("client {} connected from {}", connectionId, channel.remoteAddress());
        if (pool.info() != null) {
            sendGreeting(pool.info());
        } else {
            // Nothing known of the backend yet: one connection teaches Berth its version and character set.
            pool.acquire(channel.eventLoop(), false).addListener((Future<BackendConnection> f) -> {
                if (f.isSuccess()) {
                    pool.release(f.getNow());
                    if (channel.isActive()) {
                        sendGreeting(f.getNow().info());
                    }
                } else {
                    refuse(0, acquireError(f.cause()));
                }
            });
        }
    }

    private void sendGreeting(BackendInfo info) {
        seed = Scrambles.newSeed();
        authenticator = new ClientAuthenticator(server.config(), info);
        long capabilities = Capabilities.PROXY_SUPPORTED;
        if (server.clientSsl() == null) {
            capabilities &= ~Capabilities.CLIENT_SSL;
        }
        HandshakeV10 greeting = new HandshakeV10(info.serverVersion(), connectionId, seed, capabilities,
                info.characterSet(), ServerStatus.AUTOCOMMIT, authenticator.defaultPlugin());
        ByteBuf out = Packets.start(channel.alloc());
        greeting.encode(out);
        channel.writeAndFlush(Packets.finish(out, 0));
        state = State.HANDSHAKE;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        switch (state) {
            case HANDSHAKE -> withFrame(frame, this::onHandshakeResponse);
            case AUTH_SWITCH -> withFrame(frame, this::onAuthSwitchResponse);
            case COMMAND -> onCommandFrame(frame);
            default -> frame.release(); // nothing is expected from the client now
        }
    }

    private void withFrame(ByteBuf frame, Consumer<ByteBuf> action) {
        try {
            action.accept(frame);
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
            channel.pipeline().addFirst("tls", server.clientSsl().newHandler(channel.alloc()));
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
        clientCapabilities = response.capabilities() & (Capabilities.PROXY_SUPPORTED | Capabilities.CLIENT_SSL);
        userName = response.username();
        characterSet = response.characterSet();
        schema = response.database() == null || response.database().isEmpty() ? null : response.database();
        writer = new ClientResponseWriter(this, channel, clientCapabilities);
        onVerdict(authenticator.verify(userName, response.authPluginName(), response.authResponse(), seed, true),
                sequence + 1, response.authResponse().length > 0);
    }

    private void onAuthSwitchResponse(ByteBuf frame) {
        byte[] response = MysqlBuffers.readEofBytes(Packets.payload(frame));
        onVerdict(authenticator.verify(userName, switchPlugin, response, switchSeed, false),
                Packets.sequenceId(frame) + 1, response.length > 0);
    }

    private void onVerdict(ClientAuthenticator.Verdict verdict, int sequence, boolean usedPassword) {
        if (verdict instanceof ClientAuthenticator.Accepted accepted) {
            if (accepted.plugin().equals(CachingSha2Password.NAME)) {
                ByteBuf out = Packets.start(channel.alloc());
                new AuthMoreData(new byte[] {CachingSha2Password.FAST_AUTH_SUCCESS}).encode(out);
                channel.write(Packets.finish(out, sequence++));
            }
            log.debug("client {} logged in as {}", connectionId, userName);
            loggedIn(sequence);
        } else if (verdict instanceof ClientAuthenticator.SwitchTo switchTo
                && Capabilities.has(clientCapabilities, Capabilities.CLIENT_PLUGIN_AUTH)) {
            switchPlugin = switchTo.plugin();
            switchSeed = Scrambles.newSeed();
            ByteBuf out = Packets.start(channel.alloc());
            new AuthSwitchRequest(switchPlugin, switchSeed).encode(out);
            channel.writeAndFlush(Packets.finish(out, sequence));
            state = State.AUTH_SWITCH;
        } else {
            log.debug("client {} denied as {}", connectionId, userName);
            refuse(sequence, ErrPacket.of(ErrorCode.ACCESS_DENIED, String.format(
                    "Access denied for user '%s'@'%s' (using password: %s)", userName, clientHost(),
                    usedPassword ? "YES" : "NO")));
        }
    }

    /** Authentication passed; an initial schema is checked on a backend before the client is told OK. */
    private void loggedIn(int sequence) {
        state = State.LOGIN;
        channel.pipeline().get(PacketFrameDecoder.class).setMaxPacketSize(server.config().maxPacketSize());
        if (schema == null) {
            enterCommandPhase(sequence);
            return;
        }
        acquire(error -> {
            if (error == null) {
                enterCommandPhase(sequence);
            } else {
                refuse(sequence, error);
            }
        });
    }

    private void enterCommandPhase(int sequence) {
        handshakeTimer.cancel(false);
        state = State.COMMAND;
        channel.writeAndFlush(ErrFrames.ok(channel.alloc(), sequence, ServerStatus.AUTOCOMMIT, clientCapabilities));
    }

    private void handshakeTimedOut() {
        if (state != State.COMMAND && state != State.CLOSED) {
            refuse(2, ErrPacket.of(ErrorCode.READ_TIMEOUT, "berth: no complete login within "
                    + server.config().handshakeTimeout().toSeconds() + "s (--handshake-timeout)"));
        }
    }

    // ---- command phase ----------------------------------------------------------------------------------------

    private void onCommandFrame(ByteBuf frame) {
        if (clientContinuation || localInfile) {
            // Further frames of a large command, or a LOCAL INFILE file's contents (ended by an empty packet).
            boolean endsFile = !clientContinuation && Packets.payloadLength(frame) == 0;
            clientContinuation = Packets.continues(frame);
            if (endsFile) {
                localInfile = false;
            }
            forward(frame, -1, endsFile);
            return;
        }
        clientContinuation = Packets.continues(frame);
        int command = Packets.firstByte(frame);
        boolean idle = backend == null && !acquiring;
        switch (command) {
            case Command.COM_QUIT -> {
                frame.release();
                channel.close();
            }
            case Command.COM_PING, Command.COM_RESET_CONNECTION -> {
                if (idle) {
                    // Nothing to ask the backend: no session state exists on one yet.
                    answerOk(frame);
                } else {
                    forward(frame, command, false);
                }
            }
            case Command.COM_STMT_CLOSE, Command.COM_STMT_SEND_LONG_DATA -> {
                if (idle) {
                    frame.release(); // no statement can exist before a backend was taken; these have no answer
                } else {
                    forward(frame, command, false);
                }
            }
            case Command.COM_CHANGE_USER -> withFrame(frame, this::changeUser);
            case Command.COM_QUERY -> {
                if (KillStatement.looksLikeKill(Packets.payload(frame))) {
                    kill(frame);
                } else {
                    forward(frame, command, false);
                }
            }
            case Command.COM_PROCESS_KILL -> {
                int sequence = Packets.sequenceId(frame) + 1;
                long id = Integer.toUnsignedLong(Packets.payload(frame).getIntLE(1));
                frame.release();
                kill(new KillStatement(id, false), sequence);
            }
            case Command.COM_INIT_DB, Command.COM_FIELD_LIST, Command.COM_STATISTICS,
                 Command.COM_PROCESS_INFO, Command.COM_REFRESH, Command.COM_DEBUG,
                 Command.COM_CREATE_DB, Command.COM_DROP_DB, Command.COM_STMT_PREPARE, Command.COM_STMT_EXECUTE,
                 Command.COM_STMT_RESET, Command.COM_STMT_FETCH, Command.COM_SET_OPTION ->
                    forward(frame, command, false);
            default -> {
                int sequence = Packets.sequenceId(frame) + 1;
                frame.release();
                clientContinuation = false;
                channel.writeAndFlush(ErrFrames.of(channel.alloc(), sequence, ErrPacket.of(ErrorCode.UNKNOWN_COMMAND,
                        "berth: " + Command.name(command) + " is not supported through Berth")));
            }
        }
    }

    private void kill(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        KillStatement kill = KillStatement.parse(Packets.payload(frame));
        frame.release();
        if (kill == null) {
            channel.writeAndFlush(ErrFrames.of(channel.alloc(), sequence, ErrPacket.of(ErrorCode.NOT_ALLOWED_COMMAND,
                    "berth: only KILL [CONNECTION | QUERY] <id> is supported through Berth, with the id "
                            + "CONNECTION_ID() gave on this proxy's greeting")));
            return;
        }
        kill(kill, sequence);
    }

    /**
     * KILL with an id from Berth's greeting: a connection is closed by Berth (its backend discarded, never reused mid
     * statement); a query is killed on the backend thread that session holds, through this client's own backend.
     */
    private void kill(KillStatement kill, int sequence) {
        FrontendSession target = server.sessions().get(kill.id());
        if (target == null) {
            channel.writeAndFlush(ErrFrames.of(channel.alloc(), sequence, new ErrPacket(1094, "HY000",
                    "Unknown thread id: " + kill.id())));
            return;
        }
        if (!kill.queryOnly()) {
            target.channel.eventLoop().execute(() -> target.channel.close());
            if (target != this) {
                channel.writeAndFlush(ErrFrames.ok(channel.alloc(), sequence, ServerStatus.AUTOCOMMIT,
                        clientCapabilities));
            }
            return;
        }
        BackendConnection victim = target.backend;
        if (victim == null) {
            channel.writeAndFlush(ErrFrames.ok(channel.alloc(), sequence, ServerStatus.AUTOCOMMIT, clientCapabilities));
            return;
        }
        ByteBuf rewritten = InternalCommand.query(channel.alloc(), "KILL QUERY " + victim.serverConnectionId());
        Packets.setSequenceId(rewritten, sequence - 1);
        forward(rewritten, Command.COM_QUERY, false);
    }

    private void answerOk(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        frame.release();
        channel.writeAndFlush(ErrFrames.ok(channel.alloc(), sequence, ServerStatus.AUTOCOMMIT, clientCapabilities));
    }

    private void forward(ByteBuf frame, int command, boolean endsLocalInfile) {
        if (backend == null) {
            pending.add(new PendingFrame(frame, command));
            if (!acquiring) {
                acquire(error -> {
                    if (error != null) {
                        failPending(error);
                    }
                });
            }
            return;
        }
        BackendConnection b = backend;
        if (endsLocalInfile) {
            b.eventLoop().execute(() -> {
                b.send(frame, -1, null, true);
                b.localInfileSent();
            });
        } else {
            b.send(frame, command, writer, false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        BackendConnection b = backend;
        if (b != null) {
            b.channel().flush();
        }
    }

    /**
     * Takes a backend connection, brings it to this client's session (character set, schema, multi-statements),
     * then sends what queued meanwhile. {@code done} gets null, or the ERR the client should see.
     */
    private void acquire(Consumer<ErrPacket> done) {
        acquiring = true;
        channel.config().setAutoRead(false);
        boolean foundRows = Capabilities.has(clientCapabilities, Capabilities.CLIENT_FOUND_ROWS);
        pool.acquire(channel.eventLoop(), foundRows).addListener((Future<BackendConnection> f) -> {
            acquiring = false;
            channel.config().setAutoRead(true);
            if (!f.isSuccess()) {
                done.accept(acquireError(f.cause()));
                return;
            }
            BackendConnection b = f.getNow();
            if (!channel.isActive()) {
                pool.release(b);
                return;
            }
            backend = b;
            log.debug("client {} took {}", connectionId, b);
            synchronizeSession(b, done);
            PendingFrame p;
            while ((p = pending.poll()) != null) {
                b.send(p.frame(), p.command(), writer, false);
            }
            b.channel().flush();
        });
    }

    private void synchronizeSession(BackendConnection b, Consumer<ErrPacket> done) {
        if (b.characterSet() != characterSet) {
            int id = characterSet;
            String sql = "SET character_set_client=" + id + ", character_set_results=" + id
                    + ", collation_connection=" + id;
            InternalCommand.send(b, InternalCommand.query(b.channel().alloc(), sql), (c, error, lost) -> {
                if (error == null && lost == null) {
                    c.characterSet(id);
                } else if (error != null) {
                    // As the server does for a collation it doesn't know: keep its default.
                    log.debug("{} keeps its character set: {}", c, error);
                }
            }, false);
        }
        int multiStatements = Capabilities.has(clientCapabilities, Capabilities.CLIENT_MULTI_STATEMENTS) ? 1 : 0;
        if (b.multiStatements() != multiStatements) {
            InternalCommand.send(b, InternalCommand.setMultiStatements(b.channel().alloc(), multiStatements == 1),
                    (c, error, lost) -> {
                        if (error != null || lost != null) {
                            c.multiStatements(-1);
                        }
                    }, false);
        }
        String wanted = schema;
        if (wanted != null && !wanted.equals(b.schema())) {
            InternalCommand.send(b, InternalCommand.initDb(b.channel().alloc(), wanted), (c, error, lost) -> {
                if (error == null && lost == null) {
                    c.schema(wanted);
                }
                ErrPacket result = error != null ? error : lost != null ? lostError(lost) : null;
                channel.eventLoop().execute(() -> done.accept(result));
            }, false);
        } else {
            done.accept(null);
        }
    }

    private void failPending(ErrPacket error) {
        PendingFrame p;
        while ((p = pending.poll()) != null) {
            // Every queued command (a client may pipeline several) is owed exactly one answer.
            if (p.command() >= 0 && ResponseTracker.hasResponse(p.command())) {
                channel.write(ErrFrames.of(channel.alloc(), Packets.sequenceId(p.frame()) + 1, error));
            }
            p.frame().release();
        }
        clientContinuation = false;
        channel.flush();
    }

    private void changeUser(ByteBuf frame) {
        ByteBuf payload = Packets.payload(frame).skipBytes(1);
        int sequence = Packets.sequenceId(frame) + 1;
        String user;
        byte[] auth;
        String database;
        String plugin = null;
        try {
            user = MysqlBuffers.readNulString(payload);
            auth = Capabilities.has(clientCapabilities, Capabilities.CLIENT_SECURE_CONNECTION)
                    ? MysqlBuffers.readFixedBytes(payload, MysqlBuffers.readUnsigned(payload, 1))
                    : MysqlBuffers.readNulBytes(payload);
            database = payload.isReadable() ? MysqlBuffers.readNulString(payload) : "";
            if (payload.readableBytes() >= 2) {
                characterSet = MysqlBuffers.readUnsigned(payload, 2);
            }
            if (Capabilities.has(clientCapabilities, Capabilities.CLIENT_PLUGIN_AUTH) && payload.isReadable()) {
                plugin = MysqlBuffers.readNulString(payload);
            }
        } catch (MalformedPacketException e) {
            refuse(sequence, ErrPacket.of(ErrorCode.MALFORMED_PACKET, "berth: malformed COM_CHANGE_USER: "
                    + e.getMessage()));
            return;
        }
        letGoOfBackend();
        userName = user;
        schema = database.isEmpty() ? null : database;
        state = State.AUTH_SWITCH;
        onVerdict(authenticator.verify(user, plugin, auth, seed, true), sequence, auth.length > 0);
    }

    // ---- events from the backend side (called on the backend's event loop) -------------------------------------

    void localInfileRequested() {
        localInfile = true;
    }

    void schemaChanged(String newSchema) {
        schema = newSchema;
    }

    void clientBackpressure() {
        BackendConnection b = backend;
        if (b != null && !channel.isWritable()) {
            b.channel().config().setAutoRead(false);
        }
    }

    void backendLost(BackendConnection lost, Throwable cause, int sequence) {
        channel.eventLoop().execute(() -> {
            if (backend != lost) {
                return;
            }
            backend = null;
            pool.discard(lost, "lost-mid-session");
            refuse(sequence, lostError(cause));
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        BackendConnection b = backend;
        if (b != null && channel.isWritable()) {
            b.channel().config().setAutoRead(true);
        }
    }

    // ---- endings ----------------------------------------------------------------------------------------------

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        server.sessions().remove(connectionId, this);
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        PendingFrame p;
        while ((p = pending.poll()) != null) {
            p.frame().release();
        }
        letGoOfBackend();
        log.debug("client {} disconnected", connectionId);
    }

    /**
     * Gives the backend back: reset and pooled when it is between commands, closed when the client left it
     * mid-command (a result still streaming, a large packet half sent, a file transfer half done).
     */
    private void letGoOfBackend() {
        BackendConnection b = backend;
        backend = null;
        if (b == null) {
            return;
        }
        boolean midCommand = clientContinuation || localInfile;
        clientContinuation = false;
        localInfile = false;
        b.channel().config().setAutoRead(true);
        b.eventLoop().execute(() -> {
            if (!midCommand && b.idle()) {
                pool.release(b);
            } else {
                pool.discard(b, "client-left-mid-command");
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PacketTooLargeException tooLarge) {
            refuse(0, ErrPacket.of(ErrorCode.PACKET_TOO_LARGE, "berth: got a packet bigger than "
                    + tooLarge.limit() + " bytes" + (state == State.COMMAND ? "; raise --max-packet-size" : "")));
        } else if (cause instanceof DecoderException || cause instanceof MalformedPacketException) {
            refuse(0, ErrPacket.of(state == State.COMMAND ? ErrorCode.MALFORMED_PACKET : ErrorCode.BAD_HANDSHAKE,
                    "berth: malformed packet: " + cause.getMessage()));
        } else if (cause instanceof IOException) {
            log.debug("client {}: {}", connectionId, cause.toString());
            ctx.close();
        } else {
            log.warn("client {} failed", connectionId, cause);
            refuse(0, ErrPacket.of(ErrorCode.INTERNAL_ERROR, "berth: internal error (" + cause
                    + "); the connection is closed, reconnect"));
        }
    }

    /** Sends an ERR and closes: the connection can't go on. */
    private void refuse(int sequence, ErrPacket error) {
        if (channel.isActive()) {
            channel.writeAndFlush(ErrFrames.of(channel.alloc(), sequence, error)).addListener(f -> channel.close());
        }
        state = State.CLOSED;
    }

    private ErrPacket acquireError(Throwable cause) {
        if (cause instanceof PoolTimeoutException) {
            return ErrPacket.of(ErrorCode.POOL_TIMEOUT, cause.getMessage());
        }
        if (cause instanceof BackendException e && e.serverError() != null) {
            return ErrPacket.of(ErrorCode.BACKEND_UNAVAILABLE, "berth: " + e.getMessage()
                    + "; check --backend-user and --backend-password");
        }
        return ErrPacket.of(ErrorCode.BACKEND_UNAVAILABLE, "berth: " + cause.getMessage()
                + "; check that the server at --backend is up");
    }

    private static ErrPacket lostError(Throwable cause) {
        return ErrPacket.of(ErrorCode.BACKEND_LOST, "berth: lost the backend connection (" + cause.getMessage()
                + "); this session's state is gone, reconnect");
    }

    private String clientHost() {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress()
                : "localhost";
    }
}
