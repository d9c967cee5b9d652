package dev.berth.proxy.it.support;

import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.protocol.Capabilities;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately small MySQL client on a plain {@link Socket}, written for fault tests: it can send any bytes at any
 * moment, stop reading in the middle of a result, and die abruptly ({@link #kill()}: an RST, no COM_QUIT). It speaks
 * protocol 4.1 without CLIENT_DEPRECATE_EOF, TLS or compression, and logs in with {@code mysql_native_password}
 * (implemented here independently of Berth's own code).
 */
public final class RawMysqlClient implements AutoCloseable {
    public static final int UTF8MB4_GENERAL_CI = 45;
    public static final int LATIN1_SWEDISH_CI = 8;

    /** One wire frame: its sequence id and payload. */
    public record Packet(int sequence, byte[] payload) {
        public int first() {
            return payload.length == 0 ? -1 : payload[0] & 0xff;
        }

        public boolean isErr() {
            return first() == 0xff;
        }

        public boolean isOk() {
            return first() == 0x00;
        }

        public boolean isEof() {
            return first() == 0xfe && payload.length < 9;
        }

        public Err err() {
            if (!isErr()) {
                throw new AssertionError("expected an ERR packet, got " + describe());
            }
            int code = (payload[1] & 0xff) | (payload[2] & 0xff) << 8;
            String state = null;
            int at = 3;
            if (payload.length >= 9 && payload[3] == '#') {
                state = new String(payload, 4, 5, StandardCharsets.US_ASCII);
                at = 9;
            }
            return new Err(code, state, new String(payload, at, payload.length - at, StandardCharsets.UTF_8));
        }

        public String describe() {
            if (isErr()) {
                return err().toString();
            }
            return "packet #" + sequence + " of " + payload.length + " bytes starting 0x"
                    + Integer.toHexString(first());
        }
    }

    /** An ERR packet's contents. */
    public record Err(int code, String sqlState, String message) {
        @Override
        public String toString() {
            return "ERR " + code + " (" + sqlState + ") " + message;
        }
    }

    /** What the server sent first. */
    public record Greeting(int protocol, String serverVersion, long connectionId, byte[] seed, long capabilities,
                           String authPlugin) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private Greeting greeting;

    private RawMysqlClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects; every read waits at most {@code readTimeoutMillis}. */
    public static RawMysqlClient connect(String host, int port, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        return new RawMysqlClient(socket);
    }

    /** Connects and logs in (greeting, handshake response, an auth switch if asked) or throws. */
    public static RawMysqlClient login(String host, int port, String user, String password, String database)
            throws IOException {
        RawMysqlClient c = connect(host, port, 10_000);
        try {
            Packet result = c.tryLogin(user, password, database);
            if (!result.isOk()) {
                throw new IOException("login failed: " + result.describe());
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The greeting of the last login, or null before one. */
    public Greeting greeting() {
        return greeting;
    }

    public Socket socket() {
        return socket;
    }

    public void setReadTimeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    // ---- framing ----------------------------------------------------------------------------------------------

    /** The next frame, or null at end of stream. A connection reset is reported as an IOException. */
    public Packet readPacket() throws IOException {
        byte[] header = new byte[4];
        if (!readFully(header, true)) {
            return null;
        }
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        byte[] payload = new byte[length];
        if (!readFully(payload, false)) {
            throw new EOFException("stream ended inside a packet of " + length + " bytes");
        }
        return new Packet(header[3] & 0xff, payload);
    }

    private boolean readFully(byte[] buffer, boolean eofAllowed) throws IOException {
        int done = 0;
        while (done < buffer.length) {
            int n = in.read(buffer, done, buffer.length - done);
            if (n < 0) {
                if (done == 0 && eofAllowed) {
                    return false;
                }
                throw new EOFException("stream ended after " + done + " of " + buffer.length + " bytes");
            }
            done += n;
        }
        return true;
    }

    /** Writes one frame with the given sequence id (the payload must be shorter than 16 MiB). */
    public void writePacket(int sequence, byte[] payload) throws IOException {
        out.write(frame(sequence, payload));
        out.flush();
    }

    /** Writes raw bytes, no framing added. */
    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public static byte[] frame(int sequence, byte[] payload) {
        byte[] f = new byte[4 + payload.length];
        f[0] = (byte) payload.length;
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) (payload.length >>> 16);
        f[3] = (byte) sequence;
        System.arraycopy(payload, 0, f, 4, payload.length);
        return f;
    }

    /**
     * Reads until the peer closes (an orderly end of stream, or a reset) and returns what came before; a read
     * timeout is thrown as {@link SocketTimeoutException}.
     */
    public List<Packet> readUntilClosed() throws IOException {
        List<Packet> extra = new ArrayList<>();
        try {
            Packet p;
            while ((p = readPacket()) != null) {
                extra.add(p);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (SocketException e) {
            // "Connection reset": the peer closed with data of ours unread. Still a close.
            if (!String.valueOf(e.getMessage()).toLowerCase().contains("reset")) {
                throw e;
            }
        }
        return extra;
    }

    // ---- connection phase -------------------------------------------------------------------------------------

    public Greeting readGreeting() throws IOException {
        Packet p = readPacket();
        if (p == null) {
            throw new EOFException("closed before the greeting");
        }
        if (p.isErr()) {
            throw new IOException("refused before the greeting: " + p.err());
        }
        return parseGreeting(p.payload());
    }

    public static Greeting parseGreeting(byte[] b) {
        int at = 0;
        int protocol = b[at++] & 0xff;
        int end = indexOf(b, at, (byte) 0);
        String version = new String(b, at, end - at, StandardCharsets.UTF_8);
        at = end + 1;
        long id = u(b, at, 4);
        at += 4;
        byte[] seed1 = Arrays.copyOfRange(b, at, at + 8);
        at += 8 + 1; // filler
        long caps = u(b, at, 2);
        at += 2;
        at += 1; // character set
        at += 2; // status
        caps |= u(b, at, 2) << 16;
        at += 2;
        int authDataLength = b[at++] & 0xff;
        at += 10; // reserved (MariaDB keeps its extended capabilities here)
        int seed2Length = Math.max(13, authDataLength - 8);
        byte[] seed2 = Arrays.copyOfRange(b, at, at + seed2Length);
        at += seed2Length;
        // The second part ends in a NUL that isn't part of the seed.
        byte[] seed = new byte[8 + 12];
        System.arraycopy(seed1, 0, seed, 0, 8);
        System.arraycopy(seed2, 0, seed, 8, 12);
        String plugin = null;
        if (at < b.length) {
            int pend = indexOf(b, at, (byte) 0);
            plugin = new String(b, at, (pend < 0 ? b.length : pend) - at, StandardCharsets.UTF_8);
        }
        return new Greeting(protocol, version, id, seed, caps, plugin);
    }

    /** Greeting, handshake response and auth switch; returns the final OK or ERR. */
    public Packet tryLogin(String user, String password, String database) throws IOException {
        return tryLogin(user, password, database, Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_PROTOCOL_41
                | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
                | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH);
    }

    /** As {@link #tryLogin(String, String, String)}, asking for exactly {@code capabilities}. */
    public Packet tryLogin(String user, String password, String database, long capabilities) throws IOException {
        return tryLogin(user, password, database, capabilities, UTF8MB4_GENERAL_CI);
    }

    /** As {@link #tryLogin(String, String, String, long)}, with the collation id {@code characterSet}. */
    public Packet tryLogin(String user, String password, String database, long capabilities, int characterSet)
            throws IOException {
        Greeting g = readGreeting();
        greeting = g;
        long caps = capabilities | (database != null ? Capabilities.CLIENT_CONNECT_WITH_DB : 0);
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        writeInt(p, caps, 4);
        writeInt(p, 16 * 1024 * 1024, 4);
        p.write(characterSet);
        p.write(new byte[23], 0, 23);
        writeNul(p, user);
        byte[] auth = nativeScramble(password, g.seed());
        p.write(auth.length);
        p.write(auth, 0, auth.length);
        if (database != null) {
            writeNul(p, database);
        }
        writeNul(p, "mysql_native_password");
        writePacket(1, p.toByteArray());
        while (true) {
            Packet r = readPacket();
            if (r == null) {
                throw new EOFException("closed during login");
            }
            if (r.first() == 0xfe) { // auth switch request
                byte[] b = r.payload();
                int end = indexOf(b, 1, (byte) 0);
                String plugin = new String(b, 1, end - 1, StandardCharsets.UTF_8);
                if (!plugin.equals("mysql_native_password")) {
                    throw new IOException("cannot switch to " + plugin);
                }
                byte[] seed = Arrays.copyOfRange(b, end + 1, end + 1 + 20);
                writePacket(r.sequence() + 1, nativeScramble(password, seed));
                continue;
            }
            if (r.first() == 0x01) { // auth more data: not expected for native password
                continue;
            }
            return r;
        }
    }

    static byte[] nativeScramble(String password, byte[] seed) {
        return NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), seed);
    }

    // ---- command phase ----------------------------------------------------------------------------------------

    /** Sends a command (sequence 0) without reading anything. */
    public void command(int command, byte[] argument) throws IOException {
        byte[] payload = new byte[argument.length + 1];
        payload[0] = (byte) command;
        System.arraycopy(argument, 0, payload, 1, argument.length);
        writePacket(0, payload);
    }

    /** Reads exactly {@code count} packets, failing at end of stream. */
    public List<Packet> read(int count) throws IOException {
        List<Packet> packets = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Packet p = readPacket();
            if (p == null) {
                throw new EOFException("closed after " + i + " of " + count + " packets");
            }
            packets.add(p);
        }
        return packets;
    }

    /** Sends COM_QUERY without reading anything. */
    public void sendQuery(String sql) throws IOException {
        writePacket(0, queryPayload(sql));
    }

    /** The payload of a COM_QUERY of {@code sql}, for tests that write several commands at once. */
    public static byte[] queryPayload(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[1 + text.length];
        payload[0] = 0x03;
        System.arraycopy(text, 0, payload, 1, text.length);
        return payload;
    }

    /** The outcome of a text query: an OK, an ERR, or rows of strings. */
    public record Result(Packet ok, Err err, List<List<String>> rows) {
        public List<List<String>> rowsOrThrow() {
            if (err != null) {
                throw new AssertionError("query failed: " + err);
            }
            return rows;
        }
    }

    /** Sends a query and reads its whole response (one result; no multi-results). */
    public Result query(String sql) throws IOException {
        sendQuery(sql);
        return readResult();
    }

    /** Reads the whole response to a text query sent before (one result; no multi-results). */
    public Result readResult() throws IOException {
        Packet first = readPacket();
        if (first == null) {
            throw new EOFException("closed instead of answering");
        }
        if (first.isErr()) {
            return new Result(null, first.err(), List.of());
        }
        if (first.isOk()) {
            return new Result(first, null, List.of());
        }
        int columns = (int) lenenc(first.payload(), new int[] {0});
        for (int i = 0; i < columns; i++) {
            readPacket();
        }
        Packet eof = readPacket();
        if (!eof.isEof()) {
            throw new IOException("expected EOF after column definitions, got " + eof.describe());
        }
        List<List<String>> rows = new ArrayList<>();
        while (true) {
            Packet r = readPacket();
            if (r.isEof()) {
                return new Result(null, null, rows);
            }
            if (r.isErr()) {
                return new Result(null, r.err(), rows);
            }
            List<String> row = new ArrayList<>(columns);
            int[] at = {0};
            for (int i = 0; i < columns; i++) {
                if ((r.payload()[at[0]] & 0xff) == 0xfb) {
                    at[0]++;
                    row.add(null);
                } else {
                    int n = (int) lenenc(r.payload(), at);
                    row.add(new String(r.payload(), at[0], n, StandardCharsets.UTF_8));
                    at[0] += n;
                }
            }
            rows.add(row);
        }
    }

    /** The single value of a one-row, one-column query. */
    public String queryValue(String sql) throws IOException {
        List<List<String>> rows = query(sql).rowsOrThrow();
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new AssertionError(sql + " gave " + rows);
        }
        return rows.get(0).get(0);
    }

    // ---- endings ----------------------------------------------------------------------------------------------

    /** Dies like a killed process: no COM_QUIT, the socket closed with an RST (SO_LINGER 0). */
    public void kill() {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already broken
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    // ---- bytes ------------------------------------------------------------------------------------------------

    private static long lenenc(byte[] b, int[] at) {
        int first = b[at[0]++] & 0xff;
        return switch (first) {
            case 0xfc -> next(b, at, 2);
            case 0xfd -> next(b, at, 3);
            case 0xfe -> next(b, at, 8);
            default -> first;
        };
    }

    private static long next(byte[] b, int[] at, int n) {
        long v = u(b, at[0], n);
        at[0] += n;
        return v;
    }

    private static long u(byte[] b, int at, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (b[at + i] & 0xff) << (8 * i);
        }
        return v;
    }

    private static int indexOf(byte[] b, int from, byte value) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static void writeInt(ByteArrayOutputStream out, long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    private static void writeNul(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        out.write(0);
    }
}
