package dev.berth.proxy.frontend;

import dev.berth.mysql.compress.CompressionAlgorithm;
import dev.berth.mysql.compress.CompressionCodec;
import dev.berth.mysql.message.SessionTrackSettings;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.proxy.backend.BackendAccount;
import dev.berth.proxy.backend.BackendAttributes;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.pool.PoolKey;
import io.netty.channel.Channel;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One client's view of its session, as a direct connection would keep it on the server: who it logged in as, the
 * character set of its handshake, its schema (or none), the protocol options it chose. Berth brings whichever backend
 * connection serves the client to this view ({@link BackendAligner}); see docs/ARCHITECTURE.md, "Who owns which
 * state".
 *
 * <p>Written on the client's event loop; the schema also from the backend's loop, when the server reports a change.
 */
final class ClientSession {
    private final long connectionId;
    private final Channel channel;
    private final long connectedAtNanos = System.nanoTime();
    private byte[] seed;
    private long capabilities;
    private CompressionAlgorithm compression;
    private int compressionLevel;
    private boolean compressing;
    private String user;
    private BackendAccount account;
    private int characterSet;
    private volatile String schema;
    private Map<String, String> attributes = Map.of();
    /** Transaction pool mode: the system variables the client changed, restored on each connection it takes. */
    private final SessionVariables variables = new SessionVariables();
    /** Transaction pool mode: what LAST_INSERT_ID() returns in the client's session. */
    private volatile long lastInsertId;
    private volatile SessionTrackSettings trackSettings = SessionTrackSettings.SERVER_DEFAULTS;
    /** The backend connection serving this client now, or null; read by other clients' KILL. */
    private volatile BackendConnection backend;

    ClientSession(long connectionId, Channel channel) {
        this.connectionId = connectionId;
        this.channel = channel;
    }

    /** The greeting's scramble, which the login and any later COM_CHANGE_USER authenticate against. */
    void greeted(byte[] seed) {
        this.seed = seed;
    }

    /** The capabilities the client's handshake response kept, fixed from then on. */
    void capabilities(long capabilities) {
        this.capabilities = capabilities;
    }

    /** A login or COM_CHANGE_USER decided who the client is, in which character set and schema. */
    void loggedIn(String user, int characterSet, String schema) {
        this.user = user;
        this.characterSet = characterSet;
        this.schema = schema == null || schema.isEmpty() ? null : schema;
    }

    /** The compressed protocol the client asked for, started after its login OK; null for none. */
    void compression(CompressionAlgorithm algorithm, int level) {
        this.compression = algorithm;
        this.compressionLevel = level;
    }

    /**
     * Puts the compressed protocol in front of the frame decoder, once: right after the login OK was written, which
     * goes out uncompressed, and before anything more is read. A COM_CHANGE_USER's OK finds it in place.
     */
    void startCompressionOnce(long maxPacketSize) {
        if (compression != null && !compressing) {
            compressing = true;
            CompressionCodec.install(channel.pipeline(), "frames", compression, compressionLevel, maxPacketSize);
        }
    }

    /** The account the client's backend connections log in as: its own, or Berth's service account. */
    void account(BackendAccount account) {
        this.account = account;
    }

    /** Which pooled connections can serve this client. */
    PoolKey poolKey() {
        return new PoolKey(account, foundRows());
    }

    long connectionId() {
        return connectionId;
    }

    Channel channel() {
        return channel;
    }

    /** Whole seconds since the client connected, at {@code nowNanos} ({@link System#nanoTime}). */
    long ageSeconds(long nowNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nowNanos - connectedAtNanos);
    }

    byte[] seed() {
        return seed;
    }

    long capabilities() {
        return capabilities;
    }

    boolean has(long capability) {
        return Capabilities.has(capabilities, capability);
    }

    String user() {
        return user;
    }

    int characterSet() {
        return characterSet;
    }

    /**
     * What the server reads the client's statements in: the character set a SET NAMES (or the like) chose, else the
     * collation id of the handshake.
     */
    String characterSetName() {
        String chosen = variables().get("character_set_client");
        return chosen != null ? chosen : String.valueOf(characterSet);
    }

    /** The schema the client is in, or null when it has none. */
    String schema() {
        return schema;
    }

    void schema(String schema) {
        this.schema = schema;
    }

    /** The connection attributes of the client's handshake or latest COM_CHANGE_USER. */
    void attributes(Map<String, String> attributes) {
        this.attributes = attributes;
    }

    /** The attributes a backend session restarted for this client carries: see {@link BackendAttributes#forClient}. */
    Map<String, String> backendAttributes() {
        return BackendAttributes.forClient(attributes, connectionId, host());
    }

    boolean multiStatements() {
        return has(Capabilities.CLIENT_MULTI_STATEMENTS);
    }

    boolean foundRows() {
        return has(Capabilities.CLIENT_FOUND_ROWS);
    }

    SessionVariables variables() {
        return variables;
    }

    /**
     * What a client that asked for session tracking should be shown: the server's defaults, or what it set itself
     * (Berth reads that back and keeps tracking everything on the connection; see {@link CommandPhase}).
     */
    SessionTrackSettings trackSettings() {
        return trackSettings;
    }

    void trackSettings(SessionTrackSettings settings) {
        this.trackSettings = settings;
    }

    long lastInsertId() {
        return lastInsertId;
    }

    void lastInsertId(long id) {
        this.lastInsertId = id;
    }

    /** The client's session went back to the server's defaults (its COM_RESET_CONNECTION, a COM_CHANGE_USER). */
    void sessionReset() {
        variables.clear();
        lastInsertId = 0;
        trackSettings = SessionTrackSettings.SERVER_DEFAULTS;
    }

    BackendConnection backend() {
        return backend;
    }

    void backend(BackendConnection backend) {
        this.backend = backend;
    }

    String host() {
        return RemoteHost.of(channel);
    }

    @Override
    public String toString() {
        return "client " + connectionId;
    }
}
