package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.FrameChunk;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.PacketTooLargeException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.ConnectionAttributes;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.SessionStateInfo;
import dev.berth.mysql.message.SessionTrackSettings;
import dev.berth.mysql.message.command.ComProcessKill;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.mysql.response.ResponseTracker;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.InternalCommand;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.CloseReason;
import dev.berth.proxy.pool.PinReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.Future;
import dev.berth.mysql.message.command.StatementIds;
import dev.berth.proxy.backend.ResponseSink;
import dev.berth.proxy.backend.ServerStatements;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command phase of one client. In session pool mode the client takes a backend connection at its first command
 * that needs one (or at login, when it named a schema) and keeps it until it leaves; the connection is then reset and
 * returned, or closed when it was left mid-command. {@link #letGoOfBackend} is the one place that decides which. In
 * transaction pool mode it also gives the connection back, unreset, after each response that leaves nothing on it
 * the client still needs ({@link #responseEnded}); see docs/ARCHITECTURE.md, "Transaction pooling".
 *
 * <p>Runs on the client channel's event loop; responses flow back through a {@link ClientResponseWriter} on the
 * backend's loop, whose calls into this class hop back here. See docs/ARCHITECTURE.md, "The data path".
 *
 * <p>Packets longer than 64 KB come streamed (head, then {@link FrameChunk}s) and are forwarded piece by piece; while
 * the backend can't take more, the client is not read.
 */
final class CommandPhase extends ChannelInboundHandlerAdapter implements KillCommand.Requester {
    private static final Logger log = LoggerFactory.getLogger(CommandPhase.class);
    private static final RateLimitedLog NO_BACKEND = new RateLimitedLog(log);
    private static final RateLimitedLog LOST = new RateLimitedLog(log);
    /** What may queue while a backend is being taken before the client is no longer read. */
    private static final int PENDING_LIMIT = 256 * 1024;
    private static final long DIAGNOSTICS_HOLD_MILLIS = 100;

    /** Variables Berth sets on the connection itself; a client that changes one is pinned. */
    private static final Set<String> BERTH_SETS = Set.of("pseudo_thread_id", "insert_id", "last_insert_id");

    /** Where the client stands with a backend connection. */
    private enum State {
        /** No backend connection: nothing of the client's session exists on the server. */
        IDLE,
        /** A connection is being taken from the pool and aligned with the session; client frames queue meanwhile. */
        ACQUIRING,
        /** A COM_PING is being answered by a pooled connection, not held; client frames wait meanwhile. */
        PINGING,
        /** A backend connection serves this client. */
        ATTACHED,
        /** Attached, and the client is sending a LOCAL INFILE file (ended by an empty packet). */
        LOCAL_INFILE,
        /** The client left, or handed the channel back for a COM_CHANGE_USER. */
        CLOSED
    }

    /**
     * A client frame on its way to the backend. Transaction pool mode: {@code followUp} is a SET that changed the
     * server's tracking, read back after it; {@code prepared} the client's statement a statement command names (or,
     * for a COM_STMT_PREPARE, the one it prepares under {@code clientId}).
     */
    private record PendingFrame(ByteBuf frame, int command, StatementClassifier followUp,
                                ClientStatements.Prepared prepared, long clientId) {
        PendingFrame(ByteBuf frame, int command) {
            this(frame, command, null, null, -1);
        }
    }

    /**
     * A command sent (or queued) whose response has not ended; {@code statement} is a COM_QUERY's reading. Berth's
     * own reading back of a tracking change counts as one too ({@link #FOLLOW_TRACKING}), so nothing is released
     * before it is done.
     */
    private record InFlight(int command, StatementClassifier statement, ClientStatements.Prepared prepared) {
    }

    private static final int FOLLOW_TRACKING = -2;

    private final ServerContext server;
    private final BackendPool pool;
    private final ClientSession session;
    private final ClientAuthenticator authenticator;
    private final Channel channel;
    private final ClientResponseWriter writer;
    private final ArrayDeque<PendingFrame> pending = new ArrayDeque<>();
    private final PreparedKills preparedKills = new PreparedKills();
    /** Frames read while {@link State#PINGING}, routed once the ping is answered. */
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private State state = State.IDLE;
    /** The client's last frame was a full 16 MB one: the next continues the same packet. */
    private boolean midPacket;
    /** The sequence id of the client's last frame. */
    private int lastSequence;
    /** The head of a streamed frame went to the backend: its chunks follow it there (others are dropped). */
    private boolean chunksToBackend;
    /** The client is not read because its backend connection can't take more. */
    private boolean readPausedForBackend;
    /** An acquire is waiting for the pool: what the client sends meanwhile is read once, then reading stops. */
    private boolean waitingForPool;
    private int pendingBytes;
    /** Transaction pool mode, else null: the session's state on its connection that ties the client to it. */
    private final Pins pins;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** The next statement must run where the last one did: a SET TRANSACTION for it. */
    private boolean holdForNext;
    /**
     * The last response had warnings or an error, which SHOW WARNINGS and the like read on its connection: kept for
     * {@link #DIAGNOSTICS_HOLD_MILLIS}, which the drivers that ask do well within, then given back.
     */
    private boolean diagnosticsHeld;
    /** The attached connection's server may still hold warnings or errors of this client's statements. */
    private boolean diagnosticsOnConnection;
    private ScheduledFuture<?> diagnosticsTimer;
    /** Transaction pool mode, else null: the client's prepared statements, under Berth's ids. */
    private final ClientStatements statements;
    /** The server's last status said a transaction is open (transaction pool mode). */
    private boolean inTransaction;
    /** Commands read from the client so far: a drain sees by it whether the client sent one while it looked. */
    private long commandsRead;
    /** The session part of the server's last status, for the EOF packets of answers Berth gives itself. */
    private int lastStatus = ServerStatus.AUTOCOMMIT;

    CommandPhase(ServerContext server, ClientSession session, ClientAuthenticator authenticator) {
        this.server = server;
        this.pool = server.pool();
        this.session = session;
        this.authenticator = authenticator;
        this.channel = session.channel();
        this.pins = server.aligner().transactionMode() ? new Pins(pool, session.connectionId()) : null;
        this.statements = pins == null ? null : new ClientStatements();
        this.writer = new ClientResponseWriter(this, channel, session.capabilities(), pins != null);
    }

    /** Tells the client OK for its login; a schema it named is checked on a backend connection first. */
    void start(int sequence) {
        if (session.schema() == null) {
            loginOk(sequence);
            return;
        }
        attach(error -> {
            if (error == null) {
                loginOk(sequence);
                releaseIfDone();
            } else {
                refuse(sequence, error);
            }
        });
    }

    private void loginOk(int sequence) {
        ok(sequence);
        session.startCompressionOnce(server.config().maxPacketSize());
    }

    @Override
    public ClientSession session() {
        return session;
    }

    // ---- client frames ----------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        streamLargeFrames(ctx, true);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        streamLargeFrames(ctx, false); // the connection phase, back for a COM_CHANGE_USER, takes whole frames
    }

    private static void streamLargeFrames(ChannelHandlerContext ctx, boolean on) {
        PacketFrameDecoder frames = ctx.pipeline().get(PacketFrameDecoder.class);
        if (frames != null) {
            frames.streamLargeFrames(on);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waitingForPool) {
            // Not before something arrives: most clients send nothing while they wait, and stopping and resuming
            // reads costs two epoll_ctl calls per wait.
            channel.config().setAutoRead(false);
        }
        if (msg instanceof FrameChunk chunk) {
            boolean toBackend = chunksToBackend;
            chunksToBackend &= !chunk.last();
            if (toBackend) {
                send(new PendingFrame(chunk.content(), -1), false);
            } else {
                chunk.release();
            }
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        lastSequence = Packets.sequenceId(frame);
        if (state == State.PINGING) {
            held.add(frame);
        } else {
            route(frame);
        }
    }

    private void route(ByteBuf frame) {
        if (state == State.CLOSED) {
            frame.release();
        } else if (midPacket || state == State.LOCAL_INFILE) {
            continueCommand(frame);
        } else {
            onCommand(frame);
        }
    }

    /** Further frames of a large command, or a LOCAL INFILE file's contents. */
    private void continueCommand(ByteBuf frame) {
        boolean endsFile = !midPacket && Packets.payloadLength(frame) == 0;
        midPacket = Packets.continues(frame);
        if (endsFile) {
            state = State.ATTACHED;
        }
        chunksToBackend = Packets.isPartial(frame);
        send(new PendingFrame(frame, -1), endsFile);
    }

    private void onCommand(ByteBuf frame) {
        commandsRead++;
        midPacket = Packets.continues(frame);
        int command = Packets.firstByte(frame);
        if (Packets.isPartial(frame) && (readsWhole(command, frame)
                || (statements != null && command == Command.COM_STMT_PREPARE))) {
            refuseLargeCommand(frame, command);
            return;
        }
        boolean idle = state == State.IDLE;
        if (command == Command.COM_QUERY || command == Command.COM_STMT_EXECUTE) {
            server.metrics().query();
        }
        if (Command.namesStatement(command) && preparedKills.owns(frame)) {
            preparedKills.onCommand(frame, this, server.sessions());
            return;
        }
        switch (command) {
            case Command.COM_QUIT -> {
                frame.release();
                channel.close();
            }
            case Command.COM_PING -> {
                if (idle) {
                    pingBackend(frame);
                } else {
                    forward(frame, command);
                }
            }
            case Command.COM_RESET_CONNECTION -> {
                if (pins != null) {
                    pins.clear();
                    statements.clear();
                }
                if (idle) {
                    session.sessionReset();
                    answerOk(frame);
                } else {
                    forward(frame, command); // the session is reset when it is sent (resetSent)
                }
            }
            case Command.COM_STMT_PREPARE -> {
                if (KillStatement.looksLikeKill(Packets.payload(frame)) && preparedKills.prepare(frame, this)) {
                    frame.release();
                } else if (statements != null) {
                    prepareStatement(frame);
                } else {
                    forward(frame, command);
                }
            }
            case Command.COM_STMT_EXECUTE, Command.COM_STMT_RESET, Command.COM_STMT_FETCH,
                 Command.COM_STMT_SEND_LONG_DATA, Command.COM_STMT_CLOSE -> {
                if (statements != null) {
                    statementCommand(frame, command);
                } else if (idle && (command == Command.COM_STMT_CLOSE
                        || command == Command.COM_STMT_SEND_LONG_DATA)) {
                    frame.release(); // no statement can exist before a backend was taken; these have no answer
                } else {
                    forward(frame, command);
                }
            }
            case Command.COM_CHANGE_USER -> changeUser(frame);
            case Command.COM_QUERY -> {
                if (KillStatement.looksLikeKill(Packets.payloadStart(frame))) {
                    KillCommand.runQuery(server.sessions(), this, frame);
                } else if (KillStatement.laterStatementIsKill(Packets.payloadStart(frame))) {
                    int sequence = Packets.sequenceId(frame) + 1;
                    frame.release();
                    midPacket = false;
                    reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.NOT_ALLOWED_COMMAND,
                            "berth: KILL must be a statement of its own through Berth, whose connection ids it "
                                    + "translates; send it alone")));
                } else {
                    forward(frame, command);
                }
            }
            case Command.COM_PROCESS_KILL -> processKill(frame);
            case Command.COM_INIT_DB, Command.COM_FIELD_LIST, Command.COM_STATISTICS,
                 Command.COM_PROCESS_INFO, Command.COM_REFRESH, Command.COM_DEBUG,
                 Command.COM_CREATE_DB, Command.COM_DROP_DB, Command.COM_SET_OPTION -> forward(frame, command);
            default -> {
                int sequence = Packets.sequenceId(frame) + 1;
                frame.release();
                midPacket = false;
                reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.UNKNOWN_COMMAND,
                        "berth: " + Command.name(command) + " is not supported through Berth")));
            }
        }
    }

    /**
     * Whether Berth must read the command whole itself (a COM_CHANGE_USER, a KILL to translate), which it does not
     * for one past 64 KB: that is refused. Every other command streams on to the backend, or is answered by Berth
     * with the rest of it dropped.
     */
    private static boolean readsWhole(int command, ByteBuf head) {
        return switch (command) {
            case Command.COM_CHANGE_USER, Command.COM_PROCESS_KILL -> true;
            case Command.COM_QUERY -> KillStatement.mayBeKill(Packets.payloadStart(head));
            default -> false;
        };
    }

    /** Refuses a command too large to read whole; its chunks are dropped as they come. */
    private void refuseLargeCommand(ByteBuf head, int command) {
        int sequence = Packets.sequenceId(head) + 1;
        int length = Packets.payloadLength(head);
        head.release();
        ErrPacket error = switch (command) {
            case Command.COM_QUERY -> ErrPacket.of(ErrorCode.NOT_ALLOWED_COMMAND, "berth: a KILL statement of "
                    + length + " bytes, or a query whose first 64 KB hold no statement, is refused");
            case Command.COM_STMT_PREPARE -> ErrPacket.of(ErrorCode.PACKET_TOO_LARGE, "berth: a statement to "
                    + "prepare of " + length + " bytes is refused; in transaction pool mode keep it under 64 KB");
            default -> ErrPacket.of(ErrorCode.MALFORMED_PACKET, "berth: " + Command.name(command) + " of " + length
                    + " bytes is refused");
        };
        if (midPacket) {
            // Its 16 MB continuation frames would read as commands.
            refuse(sequence, error);
        } else {
            reply(ErrFrames.of(channel, sequence, error));
        }
    }

    private void processKill(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        try {
            long id = ComProcessKill.decode(Packets.payload(frame)).connectionId();
            KillCommand.run(server.sessions(), this, new KillStatement(id, false), sequence);
        } catch (MalformedPacketException e) {
            reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.MALFORMED_PACKET,
                    "berth: malformed COM_PROCESS_KILL (" + e.getMessage() + "); send a 4-byte connection id")));
        } finally {
            frame.release();
        }
    }

    /**
     * A COM_PING with no backend held asks a pooled connection, so a health check through Berth says whether the
     * database answers, not only Berth (ERR 1105 naming the backend when it does not). The connection goes back as it
     * was, without a reset: a ping changes nothing in its session. A pooled connection found dead is replaced and the
     * ping asked again, until one answers or none can be had. What the client sends meanwhile waits its turn.
     */
    private void pingBackend(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        frame.release();
        state = State.PINGING;
        channel.config().setAutoRead(false);
        pingPooled(sequence);
    }

    private void pingPooled(int sequence) {
        pool.acquire(channel.eventLoop(), session.poolKey()).addListener((Future<BackendConnection> f) -> {
            if (!f.isSuccess()) {
                pinged(sequence, ClientErrors.acquireError(f.cause()));
                return;
            }
            BackendConnection b = f.getNow();
            InternalCommand.send(b, InternalCommand.ping(b.channel().alloc()), (c, error, lost) -> {
                if (lost != null) {
                    pool.discard(c, CloseReason.PING_FAILED);
                    onClientLoop(() -> pingPooled(sequence));
                } else {
                    pool.giveBackClean(c);
                    onClientLoop(() -> pinged(sequence, error));
                }
            }, true);
        });
    }

    /** Answers the client's COM_PING (OK when {@code error} is null), then routes what it sent meanwhile. */
    private void pinged(int sequence, ErrPacket error) {
        if (state != State.PINGING) {
            return; // the client left
        }
        state = State.IDLE;
        if (error == null) {
            ok(sequence);
        } else {
            reply(ErrFrames.of(channel, sequence, error));
        }
        ByteBuf frame;
        while (state != State.PINGING && state != State.CLOSED && (frame = held.poll()) != null) {
            route(frame);
        }
        if (state != State.PINGING && state != State.ACQUIRING) {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * The client's own COM_RESET_CONNECTION, just sent to {@code b}, brings the server's session back to its
     * defaults, the character set among them; the client's session keeps the character set of its handshake, as it
     * would directly. The realignment goes right behind the reset, before anything the client sent after it (which
     * may be pipelined behind it in the same read).
     */
    private void resetSent(BackendConnection b) {
        session.sessionReset();
        Loops.runOn(b.eventLoop(), () -> {
            b.sessionReset();
            server.aligner().align(session, b, b.eventLoop().newPromise());
        });
    }

    private void answerOk(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        frame.release();
        ok(sequence);
    }

    private void ok(int sequence) {
        reply(ErrFrames.ok(channel.alloc(), sequence, ServerStatus.AUTOCOMMIT, session.capabilities()));
    }

    @Override
    public void reply(ByteBuf frame) {
        channel.writeAndFlush(frame);
    }

    @Override
    public void forward(ByteBuf frame, int command) {
        forward(frame, command, null, -1);
    }

    /** Sends a client command on; {@code prepared} and {@code clientId} as in {@link PendingFrame}. */
    private void forward(ByteBuf frame, int command, ClientStatements.Prepared prepared, long clientId) {
        chunksToBackend = Packets.isPartial(frame);
        StatementClassifier followUp = null;
        if (pins != null && ResponseTracker.hasResponse(command)) {
            boolean hadTemporaryTables = pins.has(PinReason.TEMPORARY_TABLES);
            StatementClassifier statement = beforeSending(frame, command);
            // The server keys temporary tables by pseudo_thread_id too: it is set before the first is created and
            // never changed while one exists.
            if (state == State.ATTACHED && !hadTemporaryTables && BackendAligner.setsConnectionId(command, statement)) {
                server.aligner().mapConnectionId(session, session.backend());
            }
            inFlight.add(new InFlight(command, statement, prepared));
            if (statement != null && !statement.trackingSet().isEmpty()) {
                if (Packets.isPartial(frame)) {
                    pins.add(PinReason.SESSION_TRACKING); // no room between its pieces for Berth's own query
                } else {
                    followUp = statement;
                    inFlight.add(new InFlight(FOLLOW_TRACKING, statement, null));
                }
            }
        }
        send(new PendingFrame(frame, command, followUp, prepared, clientId), false);
    }

    /**
     * Transaction pool mode: what a command about to be sent tells of the session. Pins are taken now (when in doubt,
     * pin); what ends them counts only once the server accepted the statement ({@link #responseEnded}).
     */
    private StatementClassifier beforeSending(ByteBuf frame, int command) {
        holdForNext = false;
        stopHoldingDiagnostics();
        if (command != Command.COM_QUERY) {
            return null;
        }
        StatementClassifier statement = StatementClassifier.classify(Packets.payloadStart(frame));
        pins.add(statement.pins());
        return statement;
    }

    /**
     * Sends a client frame (or a chunk of one) to the backend, taking one first when the client has none.
     */
    private void send(PendingFrame p, boolean endsLocalInfile) {
        switch (state) {
            case IDLE -> {
                queue(p);
                attach(error -> {
                    if (error != null) {
                        failPending(error);
                    }
                });
            }
            case ACQUIRING -> queue(p);
            case ATTACHED, LOCAL_INFILE -> {
                BackendConnection b = session.backend();
                if (endsLocalInfile) {
                    Loops.runOn(b.eventLoop(), () -> {
                        b.send(p.frame(), -1, null, true);
                        b.localInfileSent();
                    });
                } else if (sendTo(b, p) && !b.channel().isWritable()) {
                    pauseForBackend(b);
                }
            }
            case CLOSED -> p.frame().release();
        }
    }

    /**
     * Writes one frame to the attached connection: {@code followUp} is read back right after it
     * ({@link #followTracking}); a statement command is bound to the connection's own statement first. Returns false
     * when the statement must be prepared there first: the frame then waits at the head of the queue.
     */
    private boolean sendTo(BackendConnection b, PendingFrame p) {
        ByteBuf frame = p.frame();
        ResponseSink sink = writer;
        ClientStatements.Prepared prepared = p.prepared();
        if (prepared != null && p.command() == Command.COM_STMT_PREPARE) {
            if (answerPrepareFrom(b, p)) {
                return true;
            }
            ServerStatements.Statement onServer = addStatement(b, prepared);
            long clientId = p.clientId();
            sink = new PrepareSink(writer, clientId, (c, serverId, answer) ->
                    onClientLoop(() -> prepared(c, onServer, prepared, clientId, serverId, answer)));
        } else if (prepared != null) {
            ServerStatements.Statement onServer = b.statements().get(prepared.key);
            if (onServer == null) {
                prepareFor(b, p);
                return false;
            }
            frame = StatementBinding.bind(onServer, prepared, p.command(), frame, b.channel().alloc());
        }
        b.send(frame, p.command(), sink, false);
        if (p.command() == Command.COM_RESET_CONNECTION) {
            resetSent(b);
        }
        if (p.followUp() != null) {
            followTracking(b, p.followUp());
        }
        return true;
    }

    private void queue(PendingFrame p) {
        pending.add(p);
        pendingBytes += p.frame().readableBytes();
        if (pendingBytes > PENDING_LIMIT) {
            channel.config().setAutoRead(false); // until the backend is there (sendPending, failPending)
        }
    }

    /** The backend can't take more: what it holds is flushed, and the client not read until it drains. */
    private void pauseForBackend(BackendConnection b) {
        b.channel().flush();
        readPausedForBackend = true;
        channel.config().setAutoRead(false);
        if (b.channel().isWritable()) {
            backendWritable(b); // it drained meanwhile, its writability event perhaps already past
        }
    }

    private void backendWritable(BackendConnection b) {
        if (readPausedForBackend && session.backend() == b) {
            readPausedForBackend = false;
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        BackendConnection b = session.backend();
        if (b != null) {
            b.channel().flush();
        }
    }

    // ---- taking and giving back the backend -------------------------------------------------------------------

    /**
     * Takes a backend connection, brings it to this client's session, then sends what queued meanwhile. {@code done}
     * gets null, or the ERR the client should see.
     */
    private void attach(Consumer<ErrPacket> done) {
        state = State.ACQUIRING;
        Future<BackendConnection> acquired = pool.acquire(channel.eventLoop(), session.poolKey());
        if (acquired.isDone()) {
            attached(acquired, done);
        } else {
            waitingForPool = true;
            acquired.addListener((Future<BackendConnection> f) -> {
                waitingForPool = false;
                channel.config().setAutoRead(true);
                attached(f, done);
            });
        }
    }

    private void attached(Future<BackendConnection> f, Consumer<ErrPacket> done) {
        if (!f.isSuccess()) {
            if (state == State.ACQUIRING) {
                state = State.IDLE;
            }
            NO_BACKEND.warn("client {} from {}: no backend connection: {}", session.connectionId(), session.host(),
                    f.cause().getMessage());
            done.accept(ClientErrors.acquireError(f.cause()));
            return;
        }
        BackendConnection b = f.getNow();
        if (state == State.CLOSED || !channel.isActive()) {
            pool.release(b);
            return;
        }
        session.backend(b);
        diagnosticsOnConnection = false;
        log.debug("client {} took {}", session.connectionId(), b);
        b.holder(this::heldBackendLost);
        b.whenWritable(() -> onClientLoop(() -> backendWritable(b)));
        server.aligner().align(session, b, channel.eventLoop().newPromise(), firstStatement())
                .addListener(aligned -> {
            if (state == State.CLOSED) {
                return; // the client left meanwhile and gave the connection back
            }
            state = State.ATTACHED;
            if (aligned.isSuccess()) {
                sendPending(b);
                done.accept(null);
            } else {
                done.accept(((BackendAligner.AlignmentFailure) aligned.cause()).error());
            }
        });
    }

    /** The statement a connection is being taken for, or null when it is another command. */
    private StatementClassifier firstStatement() {
        InFlight first = inFlight.peek();
        return first == null ? null : first.statement();
    }

    private void sendPending(BackendConnection b) {
        PendingFrame p;
        while ((p = pending.poll()) != null) {
            if (!sendTo(b, p)) {
                b.channel().flush();
                return; // sent on once the statement is prepared there (prepareFor)
            }
        }
        pendingBytes = 0;
        channel.config().setAutoRead(true);
        b.channel().flush();
        if (!b.channel().isWritable()) {
            pauseForBackend(b);
        }
        releaseIfDone(); // when Berth answered all that was queued itself
    }

    private void failPending(ErrPacket error) {
        PendingFrame p;
        while ((p = pending.poll()) != null) {
            // Every queued command (a client may pipeline several) is owed exactly one answer.
            if (p.command() >= 0 && ResponseTracker.hasResponse(p.command())) {
                inFlight.poll();
                if (p.followUp() != null) {
                    inFlight.poll();
                }
                channel.write(ErrFrames.of(channel, Packets.sequenceId(p.frame()) + 1, error));
            }
            p.frame().release();
        }
        midPacket = false;
        chunksToBackend = false;
        pendingBytes = 0;
        channel.config().setAutoRead(true);
        channel.flush();
    }

    private void releasePending() {
        PendingFrame p;
        while ((p = pending.poll()) != null) {
            p.frame().release();
        }
        ByteBuf frame;
        while ((frame = held.poll()) != null) {
            frame.release();
        }
    }

    /**
     * Gives the backend back: reset and pooled when it is between commands; its statement killed first when the
     * client left while it ran or its result streamed ({@link AbandonedCommand}); closed when the client left it
     * mid-packet (a large packet or a file transfer half sent), which no command can follow.
     */
    private void letGoOfBackend() {
        BackendConnection b = session.backend();
        session.backend(null);
        if (pins != null) {
            pins.clear(); // the reset below ends whatever pinned the client, and the client is leaving
            inFlight.clear();
            holdForNext = false;
            stopHoldingDiagnostics();
            statements.clear();
        }
        boolean midCommand = midPacket || chunksToBackend || state == State.LOCAL_INFILE;
        midPacket = false;
        chunksToBackend = false;
        readPausedForBackend = false;
        if (state != State.CLOSED) {
            state = State.IDLE;
        }
        if (b == null) {
            return;
        }
        b.holder(null);
        b.whenWritable(null);
        b.channel().config().setAutoRead(true);
        b.eventLoop().execute(() -> {
            if (midCommand) {
                pool.discard(b, CloseReason.CLIENT_LEFT_MID_COMMAND);
            } else if (b.idle()) {
                pool.release(b);
            } else {
                AbandonedCommand.recover(pool, b);
            }
        });
    }

    /**
     * Transaction pool mode: the response to one command ended (on the backend's loop, hopping here). What it showed
     * of the session is taken in: a transaction left open or a pin keeps the connection; warnings or an error keep it
     * for the next statement (SHOW WARNINGS, @@warning_count); else, with nothing else in flight, it goes back.
     */
    void responseEnded(ResponseEnd end) {
        onClientLoop(() -> {
            InFlight done = inFlight.poll();
            if (done == null || state == State.CLOSED) {
                return;
            }
            if (done.statement() != null) {
                StatementClassifier statement = done.statement();
                if (!end.error()) {
                    pins.remove(statement.unpins());
                }
                if (!statement.pins().contains(PinReason.FOUND_ROWS)) {
                    pins.remove(PinReason.FOUND_ROWS); // the statement after SQL_CALC_FOUND_ROWS has run
                }
                if (end.unexplainedChange() && statement.pins().isEmpty()) {
                    pins.add(PinReason.STATE_CHANGE);
                }
                holdForNext = statement.holdForNext();
            } else if (end.unexplainedChange()) {
                pins.add(PinReason.STATE_CHANGE);
            }
            if (end.trackingChanged() && (done.statement() == null || done.statement().trackingSet().isEmpty())) {
                pins.add(PinReason.SESSION_TRACKING); // changed where Berth did not see it coming (a procedure)
            }
            if (done.prepared() != null) {
                statementEnded(done.command(), done.prepared(), end);
            }
            if (done.statement() != null && done.statement().changesDefinitions() && !end.error()) {
                server.preparedResponses().clear();
            }
            // The server reports no warnings for a statement without a table, yet keeps those before it.
            diagnosticsOnConnection = end.error() || end.warnings() > 0 || (diagnosticsOnConnection
                    && done.statement() != null && done.statement().keepsDiagnostics());
            diagnosticsHeld = diagnosticsOnConnection;
            inTransaction = (end.statusFlags() & ServerStatus.IN_TRANS) != 0;
            lastStatus = end.statusFlags() & (ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS
                    | ServerStatus.IN_TRANS_READONLY);
            releaseIfDone();
        });
    }

    /**
     * Transaction pool mode: gives the connection back, with no reset, when the client needs nothing on it any more:
     * between commands, no transaction open, nothing pinned, nothing held for the next statement.
     */
    private void releaseIfDone() {
        BackendConnection b = session.backend();
        if (pins == null || b == null || state != State.ATTACHED || !inFlight.isEmpty() || !pending.isEmpty()
                || midPacket || chunksToBackend || inTransaction || holdForNext || pins.any()) {
            return;
        }
        if (diagnosticsHeld) {
            if (diagnosticsTimer == null) {
                diagnosticsTimer = channel.eventLoop().schedule(() -> {
                    diagnosticsTimer = null;
                    diagnosticsHeld = false;
                    releaseIfDone();
                }, DIAGNOSTICS_HOLD_MILLIS, TimeUnit.MILLISECONDS);
            }
            return;
        }
        session.backend(null);
        state = State.IDLE;
        readPausedForBackend = false;
        b.holder(null);
        b.whenWritable(null);
        b.channel().config().setAutoRead(true);
        b.eventLoop().execute(() -> {
            if (b.idle()) {
                pool.giveBackClean(b);
            } else {
                AbandonedCommand.recover(pool, b); // not expected: every response ended
            }
        });
    }

    // ---- prepared statements (transaction pool mode) -----------------------------------------------------------

    /**
     * A COM_STMT_PREPARE: the client gets a statement id of Berth's. When Berth holds the server's answer for the same
     * statement and nothing else is on its way to the client, it answers itself; else the statement is prepared on a
     * connection and the answer kept.
     */
    private void prepareStatement(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        ByteBuf payload = Packets.payload(frame);
        String sql = payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1,
                StandardCharsets.ISO_8859_1);
        ServerStatements.Key key = new ServerStatements.Key(session.schema(), session.characterSetName(), sql);
        PreparedResponses.Answer answer = server.preparedResponses().get(session.poolKey(), key);
        ClientStatements.Prepared prepared = new ClientStatements.Prepared(key, -1);
        long id = statements.add(prepared);
        if (id < 0) {
            frame.release();
            reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.MAX_PREPARED_STATEMENTS,
                    "Can't create more than max_prepared_stmt_count statements (current value: "
                            + ClientStatements.LIMIT + "); berth: close statements you no longer use")));
            return;
        }
        boolean nothingOnItsWay = inFlight.isEmpty() && pending.isEmpty() && state != State.ACQUIRING;
        if (answer != null && nothingOnItsWay) {
            frame.release();
            prepared.parameters = answer.parameters();
            answer.write(id, session.has(Capabilities.CLIENT_DEPRECATE_EOF), lastStatus, channel.alloc(),
                    f -> channel.write(f, channel.voidPromise()));
            channel.flush();
            return;
        }
        forward(frame, Command.COM_STMT_PREPARE, prepared, id);
    }

    /**
     * A COM_STMT_PREPARE about to go to {@code b}, which has the statement prepared already (another client's prepare
     * answered meanwhile): answered by Berth when nothing else is on its way to the client.
     */
    private boolean answerPrepareFrom(BackendConnection b, PendingFrame p) {
        ClientStatements.Prepared prepared = p.prepared();
        ServerStatements.Statement onServer = b.statements().get(prepared.key);
        if (onServer == null || onServer.id() < 0 || inFlight.size() != 1) {
            return false;
        }
        PreparedResponses.Answer answer = server.preparedResponses().get(session.poolKey(), prepared.key);
        if (answer == null) {
            return false;
        }
        inFlight.clear();
        p.frame().release();
        prepared.parameters = answer.parameters();
        answer.write(p.clientId(), session.has(Capabilities.CLIENT_DEPRECATE_EOF), lastStatus, channel.alloc(),
                f -> channel.write(f, channel.voidPromise()));
        channel.flush();
        return true;
    }

    /** The server answered a client's COM_STMT_PREPARE on {@code b}: the statement is known there, or forgotten. */
    private void prepared(BackendConnection b, ServerStatements.Statement onServer, ClientStatements.Prepared prepared,
                          long clientId, long serverId, PreparedResponses.Answer answer) {
        if (answer == null) {
            forgetStatement(b, prepared.key, onServer);
            statements.remove(clientId);
            return;
        }
        onServer.id(serverId);
        prepared.parameters = answer.parameters();
        server.preparedResponses().put(session.poolKey(), prepared.key, answer);
    }

    /**
     * A command naming one of the client's statements. An id the client was not given is refused as the server
     * would; COM_STMT_CLOSE is answered here (the statement stays prepared on the connections that have it); a
     * COM_STMT_RESET of a statement that holds nothing on a connection is answered here too.
     */
    private void statementCommand(ByteBuf frame, int command) {
        int sequence = Packets.sequenceId(frame) + 1;
        long id;
        try {
            id = StatementIds.read(frame);
        } catch (MalformedPacketException e) {
            frame.release();
            reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.MALFORMED_PACKET,
                    "berth: malformed " + Command.name(command) + ": " + e.getMessage())));
            return;
        }
        if (command == Command.COM_STMT_CLOSE) {
            frame.release();
            closeStatement(statements.remove(id));
            return;
        }
        ClientStatements.Prepared prepared = statements.get(id);
        if (prepared == null) {
            frame.release();
            if (command != Command.COM_STMT_SEND_LONG_DATA) {
                chunksToBackend = false;
                reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.UNKNOWN_STATEMENT,
                        "Unknown prepared statement handler (" + id + ") given to "
                                + Command.name(command).toLowerCase(Locale.ROOT).replace("com_", "mysqld_"))));
            }
            return;
        }
        switch (command) {
            case Command.COM_STMT_EXECUTE -> prepared.cursor(StatementBinding.opensCursor(frame));
            case Command.COM_STMT_SEND_LONG_DATA -> prepared.longData(true);
            case Command.COM_STMT_RESET -> {
                if (!prepared.holdsState() && state == State.IDLE) {
                    answerOk(frame);
                    return;
                }
            }
            default -> { }
        }
        updateStatementPins();
        forward(frame, command, prepared, -1);
    }

    /** The client closed a statement: what it held on the connection goes with it there. */
    private void closeStatement(ClientStatements.Prepared prepared) {
        if (prepared == null || !prepared.holdsState()) {
            return;
        }
        prepared.cursor(false);
        prepared.longData(false);
        BackendConnection b = session.backend();
        if (b != null && state == State.ATTACHED) {
            forgetStatement(b, prepared.key, b.statements().get(prepared.key));
        }
        updateStatementPins();
        releaseIfDone();
    }

    /** Takes a statement off a connection's list, closing it on the server when it was prepared there. */
    private static void forgetStatement(BackendConnection b, ServerStatements.Key key,
                                        ServerStatements.Statement onServer) {
        if (onServer == null || b.statements().get(key) != onServer) {
            return;
        }
        b.statements().remove(key);
        if (onServer.id() >= 0) {
            InternalCommand.closeStatement(b, onServer.id());
        }
    }

    /** Records a statement being prepared on {@code b}, closing there the ones it displaces. */
    private static ServerStatements.Statement addStatement(BackendConnection b, ClientStatements.Prepared prepared) {
        List<Long> evicted = new ArrayList<>();
        ServerStatements.Statement onServer = b.statements().add(prepared.key, evicted);
        evicted.forEach(id -> InternalCommand.closeStatement(b, id));
        return onServer;
    }

    /**
     * A statement command for a statement not prepared on {@code b}: Berth prepares it there, and the command (and
     * whatever the client sent after it) waits for the answer. A statement the server now refuses to prepare (a
     * table dropped) gets that ERR in place of the command's answer.
     */
    private void prepareFor(BackendConnection b, PendingFrame waiting) {
        state = State.ACQUIRING;
        pending.addFirst(waiting);
        ClientStatements.Prepared prepared = waiting.prepared();
        ServerStatements.Statement onServer = addStatement(b, prepared);
        InternalCommand.prepare(b, prepared.key.sql().getBytes(StandardCharsets.ISO_8859_1),
                (c, serverId, error, lost) -> onClientLoop(() -> {
                    if (state == State.CLOSED || session.backend() != c) {
                        return;
                    }
                    if (lost != null) {
                        backendLost(c, lost, Packets.sequenceId(waiting.frame()) + 1);
                        return;
                    }
                    state = State.ATTACHED;
                    if (error == null) {
                        onServer.id(serverId);
                    } else {
                        forgetStatement(c, prepared.key, onServer);
                        failWaiting(error);
                    }
                    sendPending(c);
                    releaseIfDone();
                }));
    }

    /** The command at the head of the queue gets {@code error} instead of being sent; its pieces are dropped. */
    private void failWaiting(ErrPacket error) {
        PendingFrame failed = pending.poll();
        if (ResponseTracker.hasResponse(failed.command())) {
            inFlight.remove(new InFlight(failed.command(), null, failed.prepared()));
            reply(ErrFrames.of(channel, Packets.sequenceId(failed.frame()) + 1, error));
        }
        failed.frame().release();
        while (!pending.isEmpty() && pending.peek().command() < 0) {
            pending.poll().frame().release();
        }
        chunksToBackend = false;
        if (failed.command() == Command.COM_STMT_EXECUTE) {
            failed.prepared().longData(false);
            failed.prepared().cursor(false);
            updateStatementPins();
        }
    }

    /** The response to a statement command ended: what the statement now holds on the connection. */
    private void statementEnded(int command, ClientStatements.Prepared prepared, ResponseEnd end) {
        switch (command) {
            case Command.COM_STMT_EXECUTE -> {
                prepared.longData(false);
                prepared.cursor(prepared.cursor() && !end.error()
                        && (end.statusFlags() & ServerStatus.CURSOR_EXISTS) != 0);
            }
            case Command.COM_STMT_FETCH -> prepared.cursor(prepared.cursor() && !end.error()
                    && (end.statusFlags() & ServerStatus.LAST_ROW_SENT) == 0);
            case Command.COM_STMT_RESET -> {
                if (!end.error()) {
                    prepared.cursor(false);
                    prepared.longData(false);
                }
            }
            default -> {
                return;
            }
        }
        updateStatementPins();
    }

    private void updateStatementPins() {
        if (statements.anyCursor()) {
            pins.add(PinReason.OPEN_CURSOR);
        } else {
            pins.remove(PinReason.OPEN_CURSOR);
        }
        if (statements.anyLongData()) {
            pins.add(PinReason.LONG_DATA);
        } else {
            pins.remove(PinReason.LONG_DATA);
        }
    }

    private void stopHoldingDiagnostics() {
        diagnosticsHeld = false;
        if (diagnosticsTimer != null) {
            diagnosticsTimer.cancel(false);
            diagnosticsTimer = null;
        }
    }

    static boolean isTrackingVariable(String name) {
        return name.regionMatches(true, 0, "session_track_", 0, "session_track_".length());
    }

    /**
     * Transaction pool mode, right after a client's SET that changed what the server tracks (queued behind it on the
     * connection, before anything else of the client's): reads back the client's tracking settings, which Berth then
     * applies itself when showing session state, and every variable the SET assigned (the server may not have
     * reported them under the client's settings); then turns Berth's own tracking on again. What cannot be read back
     * pins the client.
     */
    private void followTracking(BackendConnection b, StatementClassifier set) {
        List<String> assigned = set.trackingSet().stream().filter(name -> !isTrackingVariable(name)).toList();
        StringBuilder sql = new StringBuilder("SELECT @@session.session_track_system_variables, "
                + "@@session.session_track_schema, @@session.session_track_state_change, "
                + "@@session.session_track_transaction_info");
        assigned.forEach(name -> sql.append(", @@session.").append(name));
        // Inline when on the connection's loop: queued, the client's next command could be written before these, and
        // the responses would then end the wrong entries of inFlight (io_uring completed such a pipelined command
        // within the same loop turn; the connection was never given back).
        Loops.runOn(b.eventLoop(), () -> {
            InternalCommand.queryRow(b, sql.toString(), (c, row, error, lost) -> {
                if (row == null || row.size() != 4 + assigned.size() || row.subList(0, 4).contains(null)) {
                    pins.add(PinReason.SESSION_TRACKING);
                    return;
                }
                try {
                    session.trackSettings(SessionTrackSettings.parse(row.get(0), row.get(1), row.get(2),
                            row.get(3)));
                } catch (IllegalArgumentException unknownSetting) {
                    pins.add(PinReason.SESSION_TRACKING);
                    return;
                }
                for (int i = 0; i < assigned.size(); i++) {
                    String value = row.get(4 + i);
                    recordVariable(c, assigned.get(i), value == null ? "" : value);
                }
            });
            InternalCommand.send(b, InternalCommand.query(b.channel().alloc(), "SET " + SessionSet.TRACKING),
                    (c, error, lost) -> {
                        if (error != null) {
                            c.tracking(false);
                            pins.add(PinReason.SESSION_TRACKING);
                        }
                        onClientLoop(() -> {
                            inFlight.remove(new InFlight(FOLLOW_TRACKING, set, null));
                            releaseIfDone();
                        });
                    }, true);
        });
    }

    /** COM_CHANGE_USER: the backend goes back, and the connection phase authenticates the new account. */
    private void changeUser(ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        ByteBuf payload = Packets.payload(frame).skipBytes(1);
        String user;
        byte[] auth;
        String database;
        int characterSet = session.characterSet();
        String plugin = null;
        try {
            user = MysqlBuffers.readNulString(payload);
            auth = session.has(Capabilities.CLIENT_SECURE_CONNECTION)
                    ? MysqlBuffers.readFixedBytes(payload, MysqlBuffers.readUnsigned(payload, 1))
                    : MysqlBuffers.readNulBytes(payload);
            database = payload.isReadable() ? MysqlBuffers.readNulString(payload) : "";
            if (payload.readableBytes() >= 2) {
                characterSet = MysqlBuffers.readUnsigned(payload, 2);
            }
            if (session.has(Capabilities.CLIENT_PLUGIN_AUTH) && payload.isReadable()) {
                plugin = MysqlBuffers.readNulString(payload);
            }
            if (session.has(Capabilities.CLIENT_CONNECT_ATTRS) && payload.isReadable()) {
                session.attributes(ConnectionAttributes.read(payload));
            }
        } catch (MalformedPacketException e) {
            refuse(sequence, ErrPacket.of(ErrorCode.MALFORMED_PACKET, "berth: malformed COM_CHANGE_USER: "
                    + e.getMessage()));
            return;
        } finally {
            frame.release();
        }
        letGoOfBackend();
        session.sessionReset();
        state = State.CLOSED;
        releasePending();
        HandshakeHandler login = new HandshakeHandler(server, session, authenticator);
        channel.pipeline().replace(this, "handshake", login);
        login.verify(user, characterSet, database, plugin, auth, sequence);
    }

    // ---- events from the backend side (called on the backend's event loop) -------------------------------------

    void localInfileRequested() {
        onClientLoop(() -> {
            if (state == State.ATTACHED) {
                state = State.LOCAL_INFILE;
            }
        });
    }

    void schemaChanged(String newSchema) {
        session.schema(newSchema);
    }

    /**
     * Transaction pool mode: the server reported changed session state in the client's response. Changed variables
     * become part of the client's view (and of the connection's known state); a change of what the server tracks,
     * or of variables Berth itself sets, pins. Returns false when the server reported a change it did not name.
     */
    boolean serverReported(BackendConnection b, SessionStateInfo info) {
        info.systemVariables().forEach((reported, value) -> {
            String name = reported.toLowerCase(Locale.ROOT);
            if (!isTrackingVariable(name)) { // those are read back after the SET ({@link #followTracking})
                recordVariable(b, name, value);
            }
        });
        return !info.stateChanged() || !info.systemVariables().isEmpty() || info.schema() != null;
    }

    /** A session variable of the client's changed: part of its view from now on, and of the connection's state. */
    private void recordVariable(BackendConnection b, String name, String value) {
        if (BERTH_SETS.contains(name) || !SessionSet.settable(name)) {
            pins.add(PinReason.STATE_CHANGE);
            return;
        }
        log.trace("client {} on {}: {}={}", session.connectionId(), b, name, value);
        session.variables().changed(name, value);
        b.variables().put(name, value);
        if (name.startsWith("character_set_") || name.startsWith("collation_")) {
            b.characterSet(-1); // no longer the handshake collation Berth last set by id
        }
    }

    /** Transaction pool mode: a statement of the client's generated {@code id} (LAST_INSERT_ID()'s new value). */
    void insertIdReported(BackendConnection b, long id) {
        session.lastInsertId(id);
        b.lastInsertId(id);
    }

    /** The client can't take more: its backend is not read until it drains (channelWritabilityChanged). */
    void clientBackpressure() {
        BackendConnection b = session.backend();
        if (b != null && !channel.isWritable()) {
            b.channel().config().setAutoRead(false);
            if (channel.isWritable()) {
                b.channel().config().setAutoRead(true); // it drained meanwhile, its event perhaps already past
            }
        }
    }

    void backendLost(BackendConnection lost, Throwable cause, int sequence) {
        onClientLoop(() -> {
            if (session.backend() != lost) {
                return;
            }
            session.backend(null);
            state = State.IDLE;
            chunksToBackend = false;
            pool.discard(lost, CloseReason.LOST_MID_SESSION);
            LOST.warn("client {} from {}: {} lost mid-command ({})", session.connectionId(), session.host(), lost,
                    cause.getMessage());
            refuse(sequence, ClientErrors.lostError(cause));
        });
    }

    /**
     * The server closed the connection this client holds, with no command of the client's outstanding (a
     * wait_timeout, a restart): the client's socket closes too, as a direct connection's would, so its driver
     * reconnects.
     */
    private void heldBackendLost(BackendConnection lost, Throwable cause) {
        onClientLoop(() -> {
            if (session.backend() != lost) {
                return;
            }
            session.backend(null);
            state = State.IDLE;
            chunksToBackend = false;
            pool.discard(lost, CloseReason.LOST_MID_SESSION);
            if (pins != null && !inTransaction && !pins.any() && !midPacket) {
                // Only a statement's warnings were kept there: the next statement runs on another connection.
                log.debug("client {}: {} lost between statements ({})", session.connectionId(), lost, cause.toString());
                holdForNext = false;
                stopHoldingDiagnostics();
                return;
            }
            LOST.warn("client {} from {}: {} lost while idle ({}); closing the client", session.connectionId(),
                    session.host(), lost, cause.getMessage());
            if (midPacket) {
                // The server refused a packet the client is still sending (past its max_allowed_packet), said so
                // with an ERR that went to the client, and closed: the client must be able to read that ERR.
                LingeringClose.close(channel, null);
            } else {
                channel.close();
            }
        });
    }

    private void onClientLoop(Runnable task) {
        Loops.runOn(channel.eventLoop(), task);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        BackendConnection b = session.backend();
        if (b != null && channel.isWritable()) {
            b.channel().config().setAutoRead(true);
        }
    }

    // ---- for the operator (on this client's loop) --------------------------------------------------------------

    /**
     * Nothing of the client's waits on this side: no command queued or half read, no acquire under way, and in
     * transaction pool mode no response outstanding and no transaction open. What was sent to an attached backend
     * connection is for its loop to say ({@link BackendConnection#idle}); see {@link Clients#closeQuiescent}.
     */
    boolean quiescent() {
        return (state == State.IDLE || state == State.ATTACHED) && inFlight.isEmpty() && pending.isEmpty()
                && held.isEmpty() && !midPacket && !inTransaction;
    }

    long commandsRead() {
        return commandsRead;
    }

    /** A response ended (on the backend's loop): while Berth drains, the client goes once nothing else is under way. */
    void responseDone() {
        if (server.draining().get()) {
            Clients.closeIfQuiescent(session, new CompletableFuture<>());
        }
    }

    /** The client as SHOW CLIENTS shows it. */
    ClientInfo info(long nowNanos) {
        BackendConnection b = session.backend();
        String shown = switch (state) {
            case IDLE -> "idle";
            case ACQUIRING, PINGING -> "waiting";
            // The connection's state is its loop's; read from here it may be a moment old, which a listing can bear.
            case ATTACHED, LOCAL_INFILE -> inFlight.isEmpty() && b != null && b.idle() ? "idle in session" : "active";
            case CLOSED -> "closed";
        };
        return new ClientInfo(session.connectionId(), session.user(), ClientInfo.address(channel), shown,
                b == null ? null : b.serverConnectionId(), pins == null ? "" : pins.labels(),
                session.ageSeconds(nowNanos),
                b != null && (b.statusFlags() & ServerStatus.IN_TRANS) != 0);
    }

    // ---- endings ----------------------------------------------------------------------------------------------

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.sessions().remove(session.connectionId(), session);
        releasePending();
        letGoOfBackend();
        state = State.CLOSED;
        log.debug("client {} disconnected", session.connectionId());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PacketTooLargeException tooLarge) {
            // Answered as the server answers a packet past its max_allowed_packet, after the packet's frames so far.
            int sequence = midPacket ? lastSequence + 2 : 1;
            releasePending();
            letGoOfBackend();
            state = State.CLOSED;
            LingeringClose.close(channel, ErrFrames.of(channel, sequence, ErrPacket.of(
                    ErrorCode.PACKET_TOO_LARGE, "berth: got a packet bigger than " + tooLarge.limit()
                            + " bytes; raise --max-packet-size")));
        } else if (cause instanceof DecoderException || cause instanceof MalformedPacketException) {
            refuse(0, ErrPacket.of(ErrorCode.MALFORMED_PACKET, "berth: malformed packet: " + cause.getMessage()));
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
        channel.config().setAutoRead(false); // nothing the client sends now can be answered
        ErrFrames.refuse(channel, sequence, error);
    }
}
