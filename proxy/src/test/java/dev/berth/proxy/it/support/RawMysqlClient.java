package dev.berth.proxy.it.support;

import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.protocol.Capabilities;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A bare MySQL protocol client over a blocking socket, for tests that need exact control of capabilities and bytes
 * (what drivers won't let us choose). Logs in with mysql_native_password.
 */
public final class RawMysqlClient implements AutoCloseable {
    /** A frame as received: sequence id and payload. */
    public record Packet(int sequence, byte[] payload) {
        public int first() {
            return payload.length == 0 ? -1 : payload[0] & 0xff;
        }

        public boolean isErr() {
            return first() == 0xff;
        }

        public int errorCode() {
            return (payload[1] & 0xff) | (payload[2] & 0xff) << 8;
        }

        public String errorMessage() {
            return new String(payload, 9, payload.length - 9, StandardCharsets.UTF_8);
        }
    }

    /** What a modern driver asks for, less the flags a test wants to take away. */
    public static final long BASE_CAPABILITIES = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_LONG_FLAG
            | Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
            | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PS_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH
            | Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | Capabilities.CLIENT_CONNECT_WITH_DB;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawMysqlClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Reads the greeting and logs in; returns the final packet (OK or ERR). */
    public Packet login(String user, String password, String database, long capabilities) throws IOException {
        Packet greeting = read();
        byte[] seed = seedOf(greeting.payload());
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        writeInt(response, capabilities, 4);
        writeInt(response, 1 << 24, 4);
        response.write(45); // utf8mb4_general_ci
        response.write(new byte[23], 0, 23);
        response.writeBytes(user.getBytes(StandardCharsets.UTF_8));
        response.write(0);
        byte[] auth = NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), seed);
        response.write(auth.length);
        response.writeBytes(auth);
        response.writeBytes(database.getBytes(StandardCharsets.UTF_8));
        response.write(0);
        response.writeBytes(NativePassword.NAME.getBytes(StandardCharsets.US_ASCII));
        response.write(0);
        write(1, response.toByteArray());
        Packet result = read();
        if (result.first() == 0xfe) { // auth switch: plugin name NUL, new seed NUL
            byte[] p = result.payload();
            int nul = indexOf(p, 1);
            byte[] newSeed = Arrays.copyOfRange(p, nul + 1, p.length - 1);
            write(result.sequence() + 1, NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), newSeed));
            result = read();
        }
        return result;
    }

    /** Sends a command (sequence 0) and returns every packet of its response, which ends as {@code endsAfter} says. */
    public void command(int command, byte[] argument) throws IOException {
        byte[] payload = new byte[argument.length + 1];
        payload[0] = (byte) command;
        System.arraycopy(argument, 0, payload, 1, argument.length);
        write(0, payload);
    }

    public void query(String sql) throws IOException {
        command(0x03, sql.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads {@code count} packets. */
    public List<Packet> read(int count) throws IOException {
        List<Packet> packets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            packets.add(read());
        }
        return packets;
    }

    public Packet read() throws IOException {
        int length = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
        int sequence = in.readUnsignedByte();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Packet(sequence, payload);
    }

    /** Whether the server closed the connection (reads until EOF, failing on data). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException | java.net.SocketException e) {
            return true;
        }
    }

    public void write(int sequence, byte[] payload) throws IOException {
        byte[] frame = new byte[payload.length + 4];
        frame[0] = (byte) payload.length;
        frame[1] = (byte) (payload.length >> 8);
        frame[2] = (byte) (payload.length >> 16);
        frame[3] = (byte) sequence;
        System.arraycopy(payload, 0, frame, 4, payload.length);
        out.write(frame);
        out.flush();
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private static byte[] seedOf(byte[] greeting) {
        int p = indexOf(greeting, 1) + 1 + 4; // version NUL, connection id
        byte[] seed = new byte[20];
        System.arraycopy(greeting, p, seed, 0, 8);
        p += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10; // part 1, filler, caps, charset, status, caps, length, reserved
        System.arraycopy(greeting, p, seed, 8, 12);
        return seed;
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return bytes.length;
    }

    private static void writeInt(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
