package dev.berth.proxy.backend;

import dev.berth.mysql.codec.FrameChunk;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.response.PacketKind;
import dev.berth.mysql.response.ResponseTracker;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * One logged-in connection to the backend server. All its state is confined to its channel's event loop;
 * callers on other threads go through {@link #send}, which hops there.
 *
 * <p>Each command that has a response is paired with a {@link ResponseSink}; the {@link ResponseTracker} decides
 * where each response ends so frames go to the right sink.
 */
public final class BackendConnection {
    private final Channel channel;
    private final long id;
    private final long serverConnectionId;
    private final long openedAtNanos = System.nanoTime();
    private long commandsSent;
    private final long capabilities;
    private final BackendInfo info;
    private final BackendAccount account;
    private final ResponseTracker tracker;
    private final ArrayDeque<ResponseSink> sinks = new ArrayDeque<>();
    private ResponseSink batchSink;
    // Kept by the pool, under its lock.
    private long idleSinceNanos;
    private long expiresAtNanos;
    private long lastPingNanos;
    private BackendLossListener lossListener;
    private volatile BackendLossListener holder;
    private volatile Runnable writableListener;

    // Session state as Berth last set or saw it; -1 (or a null schema) when unknown.
    private int characterSet;
    /**
     * The character set COM_RESET_CONNECTION leaves, learnt from the server behind a release's reset; -1 until then,
     * and again after a COM_CHANGE_USER (a server may take a reset back to the latest login's character set).
     */
    private int characterSetAfterReset = -1;
    private int multiStatements = 1;
    private String schema;
    private long pseudoThreadId;
    private String authPlugin;
    private byte[] authSeed;
    private Map<String, String> attributes = BackendAttributes.LOGIN;
    // Transaction pool mode: what Berth knows of the server's session beyond the above (see BackendAligner).
    private final Map<String, String> variables = new HashMap<>();
    private boolean tracking;
    private long lastInsertId;
    private long lastClient = -1;
    private final ServerStatements statements = new ServerStatements();

    BackendConnection(Channel channel, long id, long serverConnectionId, long capabilities, BackendInfo info,
                      BackendAccount account) {
        this.account = account;
        this.channel = channel;
        this.id = id;
        this.serverConnectionId = serverConnectionId;
        this.capabilities = capabilities;
        this.info = info;
        this.tracker = new ResponseTracker(Capabilities.has(capabilities, Capabilities.CLIENT_DEPRECATE_EOF));
        this.characterSet = info.characterSet();
        this.schema = null;
        this.pseudoThreadId = serverConnectionId;
    }

    /** The auth plugin the login ended with and the greeting's seed, which a COM_CHANGE_USER starts from. */
    void authenticatedWith(String plugin, byte[] seed) {
        this.authPlugin = plugin;
        this.authSeed = seed;
    }

    String authPlugin() {
        return authPlugin;
    }

    byte[] authSeed() {
        return authSeed;
    }

    /**
     * Expects one more response packet for {@code sink} without writing anything: a server that answers a command
     * with more than one packet (caching_sha2's fast-auth note before the OK of a COM_CHANGE_USER). Call on this
     * connection's loop, with nothing else outstanding.
     */
    void expectAnother(int command, ResponseSink sink) {
        tracker.expect(command);
        sinks.add(sink);
    }

    /** The connection attributes the server has for this connection: Berth's own, or a client's. */
    public Map<String, String> attributes() {
        return attributes;
    }

    void attributes(Map<String, String> attributes) {
        this.attributes = attributes;
    }

    /** Whether a session restart gave it a client's attributes, which must not outlive that client's use of it. */
    public boolean carriesClientAttributes() {
        return attributes != BackendAttributes.LOGIN;
    }

    /** Called when the connection goes away for whatever reason, once. */
    public interface BackendLossListener {
        void onLost(BackendConnection connection, Throwable cause);
    }

    public void setLossListener(BackendLossListener listener) {
        this.lossListener = listener;
    }

    /** The client session holding this connection hears of its loss too, even with no command outstanding. */
    public void holder(BackendLossListener holder) {
        this.holder = holder;
    }

    /**
     * Runs {@code listener} on this connection's loop whenever its channel becomes writable again, so that the client
     * sending through it can resume reading; null to stop.
     */
    public void whenWritable(Runnable listener) {
        this.writableListener = listener;
    }

    void writabilityChanged() {
        Runnable listener = writableListener;
        if (listener != null && channel.isWritable()) {
            listener.run();
        }
    }

    /**
     * Writes one frame of a command. {@code command} is the command byte for the first frame of a command, or -1
     * for further frames (continuations, LOCAL INFILE data); a sink is required when the command has a response.
     */
    public void send(ByteBuf frame, int command, ResponseSink sink, boolean flush) {
        if (channel.eventLoop().inEventLoop()) {
            doSend(frame, command, sink, flush);
        } else {
            channel.eventLoop().execute(() -> doSend(frame, command, sink, flush));
        }
    }

    private void doSend(ByteBuf frame, int command, ResponseSink sink, boolean flush) {
        if (!channel.isActive()) {
            frame.release();
            if (sink != null && command >= 0 && ResponseTracker.hasResponse(command)) {
                sink.onBackendLost(this, new BackendException("backend connection " + this + " is closed", null, null));
            }
            return;
        }
        if (command >= 0 && ResponseTracker.hasResponse(command)) {
            tracker.expect(command, command == Command.COM_STMT_EXECUTE && asksForCursor(frame));
            sinks.add(sink);
            commandsSent++;
        }
        if (command == Command.COM_SET_OPTION) {
            // Recorded in send order, so the next client's session sync sees what the connection was last told. A
            // client's own switch is not followed to its answer: unknown, so the next client sets it again.
            multiStatements = sink instanceof InternalCommand ? requestedMultiStatements(frame) : -1;
        }
        if (flush) {
            channel.writeAndFlush(frame, channel.voidPromise());
        } else {
            channel.write(frame, channel.voidPromise());
        }
    }

    /** COM_STMT_EXECUTE: command byte, statement id (4 bytes), then the flags. */
    private static boolean asksForCursor(ByteBuf frame) {
        return Packets.payloadLength(frame) > 5
                && (frame.getUnsignedByte(frame.readerIndex() + Packets.HEADER_SIZE + 5)
                        & Command.CURSOR_TYPE_READ_ONLY) != 0;
    }

    /** Whether the response being read answers a COM_STMT_EXECUTE that asked for a cursor. */
    public boolean cursorRequested() {
        return tracker.cursorRequested();
    }

    private static int requestedMultiStatements(ByteBuf frame) {
        int option = frame.getUnsignedShortLE(frame.readerIndex() + Packets.HEADER_SIZE + 1);
        return option == Command.MYSQL_OPTION_MULTI_STATEMENTS_ON ? 1
                : option == Command.MYSQL_OPTION_MULTI_STATEMENTS_OFF ? 0 : -1;
    }

    /** The client sent the empty packet that ends a LOCAL INFILE transfer. Call on this connection's loop. */
    public void localInfileSent() {
        tracker.localInfileSent();
    }

    /** Routes one frame to its sink, which owns it from then on; a frame the tracker refuses is released here. */
    void onFrame(ByteBuf frame) {
        PacketKind kind;
        try {
            kind = tracker.onFrame(frame);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
        boolean complete = tracker.responseComplete();
        ResponseSink sink = complete ? sinks.poll() : sinks.peek();
        if (Packets.isPartial(frame) && !sink.streams()) {
            int length = Packets.payloadLength(frame);
            frame.release();
            throw new MalformedPacketException("a packet of " + length + " bytes in the answer to Berth's own command");
        }
        if (batchSink != null && batchSink != sink) {
            // Responses of two sinks in one read (a client's, then Berth's own queued behind it): each is flushed.
            batchSink.flush();
        }
        batchSink = sink;
        sink.onFrame(this, frame, kind, complete);
    }

    /** Routes a further piece of a streamed frame to the sink its head went to, which owns it from then on. */
    void onChunk(FrameChunk chunk) {
        try {
            tracker.onChunk(chunk.last());
        } catch (RuntimeException e) {
            chunk.release();
            throw e;
        }
        boolean complete = tracker.responseComplete();
        ResponseSink sink = complete ? sinks.poll() : sinks.peek();
        batchSink = sink;
        sink.onChunk(this, chunk.content(), chunk.last(), complete);
    }

    void onReadComplete() {
        if (batchSink != null) {
            ResponseSink sink = batchSink;
            batchSink = null;
            sink.flush();
        }
    }

    void onLost(Throwable cause) {
        ResponseSink sink;
        while ((sink = sinks.poll()) != null) {
            sink.onBackendLost(this, cause);
        }
        BackendLossListener listener = lossListener;
        lossListener = null;
        if (listener != null) {
            listener.onLost(this, cause);
        }
        BackendLossListener heldBy = holder;
        holder = null;
        if (heldBy != null) {
            heldBy.onLost(this, cause);
        }
    }

    /** Whether no response is outstanding: the connection is between commands. */
    public boolean idle() {
        return tracker.idle() && sinks.isEmpty();
    }

    /** The warning count of the last OK or EOF the server sent. */
    public int warnings() {
        return tracker.warnings();
    }

    /** The last-insert-id field of the last OK the server sent (0 when the last terminator was an EOF). */
    public long lastInsertIdOfLastOk() {
        return tracker.lastInsertId();
    }

    /** The status flags of the last OK or EOF the server sent (transaction state among them). */
    public int statusFlags() {
        return tracker.statusFlags();
    }

    public boolean isActive() {
        return channel.isActive();
    }

    public void close() {
        channel.close();
    }

    public Channel channel() {
        return channel;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** When the connection was logged in, by {@link System#nanoTime}. */
    public long openedAtNanos() {
        return openedAtNanos;
    }

    /**
     * Commands sent that have a response, Berth's own among them. Counted on the connection's loop; read from another
     * thread (SHOW SERVERS) it may be a moment old.
     */
    public long commandsSent() {
        return commandsSent;
    }

    /** The server's thread id for this connection (what CONNECTION_ID() and KILL use). */
    public long serverConnectionId() {
        return serverConnectionId;
    }

    public long capabilities() {
        return capabilities;
    }

    public boolean foundRows() {
        return Capabilities.has(capabilities, Capabilities.CLIENT_FOUND_ROWS);
    }

    /** The server account this connection is logged in as. */
    public BackendAccount account() {
        return account;
    }

    public BackendInfo info() {
        return info;
    }

    public long idleSinceNanos() {
        return idleSinceNanos;
    }

    public void idleSinceNanos(long nanos) {
        this.idleSinceNanos = nanos;
    }

    public long expiresAtNanos() {
        return expiresAtNanos;
    }

    public void expiresAtNanos(long nanos) {
        this.expiresAtNanos = nanos;
    }

    public long lastPingNanos() {
        return lastPingNanos;
    }

    public void lastPingNanos(long nanos) {
        this.lastPingNanos = nanos;
    }

    public int characterSet() {
        return characterSet;
    }

    public void characterSet(int characterSet) {
        this.characterSet = characterSet;
    }

    /** Whether the character set a reset leaves is known (see {@link #sessionReset}). */
    public boolean knowsCharacterSetAfterReset() {
        return characterSetAfterReset >= 0;
    }

    public void characterSetAfterReset(int characterSet) {
        this.characterSetAfterReset = characterSet;
    }

    /** 1 when multi-statements are on, 0 when off, -1 when unknown. */
    public int multiStatements() {
        return multiStatements;
    }

    public void multiStatements(int state) {
        this.multiStatements = state;
    }

    /** What CONNECTION_ID() returns on this connection: the server's thread id until Berth sets another. */
    public long pseudoThreadId() {
        return pseudoThreadId;
    }

    public void pseudoThreadId(long id) {
        this.pseudoThreadId = id;
    }

    public String schema() {
        return schema;
    }

    /**
     * The system variables of this connection's session that differ from the server's defaults, as last set by Berth
     * or reported by the server's session tracking (name in lower case, value as the server shows it); live map,
     * confined to this connection's loop.
     */
    public Map<String, String> variables() {
        return variables;
    }

    /** Whether Berth turned on the server's session tracking in this session (transaction pool mode). */
    public boolean tracking() {
        return tracking;
    }

    public void tracking(boolean on) {
        this.tracking = on;
    }

    /** What LAST_INSERT_ID() returns in this session, as far as Berth knows. */
    public long lastInsertId() {
        return lastInsertId;
    }

    public void lastInsertId(long id) {
        this.lastInsertId = id;
    }

    /** The connection id of the client whose statement ran here last, or -1 (none since a reset). */
    public long lastClient() {
        return lastClient;
    }

    public void lastClient(long clientId) {
        this.lastClient = clientId;
    }

    /**
     * The server's session went back to its defaults (COM_RESET_CONNECTION, Berth's scrub): the character set is
     * the one a reset leaves (MariaDB: the login's; unknown until learnt), variables, tracking and LAST_INSERT_ID()
     * are the server's again, and no statement is prepared.
     */
    public void sessionReset() {
        statements.clear();
        characterSet = characterSetAfterReset;
        variables.clear();
        tracking = false;
        lastInsertId = 0;
        lastClient = -1;
    }

    public void schema(String schema) {
        this.schema = schema;
    }

    /** The statements prepared on this connection for clients in transaction pool mode. */
    public ServerStatements statements() {
        return statements;
    }

    @Override
    public String toString() {
        return "backend#" + id + "(server thread " + serverConnectionId + ")";
    }
}
