package dev.berth.mysql.auth;

import static dev.berth.mysql.protocol.Capabilities.CLIENT_LONG_PASSWORD;
import static dev.berth.mysql.protocol.Capabilities.CLIENT_PLUGIN_AUTH;
import static dev.berth.mysql.protocol.Capabilities.CLIENT_PROTOCOL_41;
import static dev.berth.mysql.protocol.Capabilities.CLIENT_SECURE_CONNECTION;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * End to end: {@link NativePassword#scramble} logs in to the MariaDB on 127.0.0.1:3306 (root, no password),
 * over a bare socket so that nothing but our scramble is under test. Skipped when no server is listening.
 */
class NativePasswordMariaDbTest {
    private static final String USER = "berth_auth_e2e";
    private static final int OK = 0x00;
    private static final int ERR = 0xff;

    @Test
    void scrambleLogsInToMariaDb() throws IOException {
        assumeTrue(serverListening(), "no MySQL-protocol server on 127.0.0.1:3306");
        // The empty password (an empty response) is itself a NativePassword.scramble case.
        try (Wire root = Wire.login("root", new byte[0])) {
            assertEquals(OK, root.reply, "root with an empty password");
            assertEquals(OK, root.query("CREATE OR REPLACE USER " + USER + "@'127.0.0.1' IDENTIFIED BY 'secret'"));
        }
        try {
            try (Wire ok = Wire.login(USER, "secret".getBytes(UTF_8))) {
                assertEquals(OK, ok.reply, "right password");
            }
            try (Wire denied = Wire.login(USER, "Secret".getBytes(UTF_8))) {
                assertEquals(ERR, denied.reply, "wrong password");
            }
        } finally {
            try (Wire root = Wire.login("root", new byte[0])) {
                root.query("DROP USER IF EXISTS " + USER + "@'127.0.0.1'");
            }
        }
    }

    private static boolean serverListening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 3306), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Just enough of the protocol to log in (HandshakeV10 → HandshakeResponse41) and run a statement. */
    private static final class Wire implements AutoCloseable {
        private final Socket socket = new Socket();
        private DataInputStream in;
        private OutputStream out;
        private int sequence;
        int reply;

        static Wire login(String user, byte[] password) throws IOException {
            Wire w = new Wire();
            w.socket.connect(new InetSocketAddress("127.0.0.1", 3306), 2000);
            w.socket.setSoTimeout(5000);
            w.in = new DataInputStream(w.socket.getInputStream());
            w.out = w.socket.getOutputStream();
            byte[] greeting = w.read();
            int pos = 1; // protocol version 10
            while (greeting[pos] != 0) {
                pos++; // server version, NUL-terminated
            }
            pos += 1 + 4; // NUL, connection id
            byte[] seed = Arrays.copyOfRange(greeting, pos, pos + 20);
            // auth-plugin-data part 1 (8), filler, capabilities (2), charset, status (2), capabilities (2),
            // auth data length, reserved (10), then part 2 (12 of its 13 bytes; the 13th is the NUL).
            System.arraycopy(greeting, pos + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10, seed, 8, 12);

            long caps = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
            byte[] auth = NativePassword.scramble(password, seed);
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write(new byte[] {(byte) caps, (byte) (caps >> 8), (byte) (caps >> 16), (byte) (caps >> 24)});
            p.write(new byte[] {0, 0, 0, 1, 33}); // max packet 16 MiB, utf8_general_ci
            p.write(new byte[23]);
            p.write(user.getBytes(UTF_8));
            p.write(0);
            p.write(auth.length);
            p.write(auth);
            p.write(NativePassword.NAME.getBytes(UTF_8));
            p.write(0);
            w.write(p.toByteArray());
            w.reply = w.read()[0] & 0xff;
            return w;
        }

        int query(String sql) throws IOException {
            sequence = 0;
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write(0x03); // COM_QUERY
            p.write(sql.getBytes(UTF_8));
            write(p.toByteArray());
            return read()[0] & 0xff;
        }

        private byte[] read() throws IOException {
            int length = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
            sequence = in.readUnsignedByte() + 1;
            byte[] payload = new byte[length];
            in.readFully(payload);
            return payload;
        }

        private void write(byte[] payload) throws IOException {
            out.write(new byte[] {(byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16),
                (byte) sequence++});
            out.write(payload);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
