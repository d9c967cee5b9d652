import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens N MySQL-protocol client connections that log in (mysql_native_password, no TLS) and then stay silent:
 * not a single command is sent after the handshake, so in Berth's session mode none of them holds a backend.
 * Drivers can't be used for this: every JDBC driver runs queries right after connect.
 *
 * A database named at login is a different matter: Berth checks it on a backend before it answers OK, and in session
 * mode the client then keeps that backend. Pass "" as DB for clients that hold none.
 *
 * Usage: java IdleClients.java HOST PORT USER PASSWORD DB COUNT
 * Prints "READY n" once all n are logged in, then holds them until standard input closes (or reads "quit").
 */
public class IdleClients {
    static final int CLIENT_LONG_PASSWORD = 1, CLIENT_CONNECT_WITH_DB = 8, CLIENT_PROTOCOL_41 = 0x200,
            CLIENT_TRANSACTIONS = 0x2000, CLIENT_SECURE_CONNECTION = 0x8000, CLIENT_PLUGIN_AUTH = 0x80000;

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String user = args[2], password = args[3], db = args[4];
        int count = Integer.parseInt(args[5]);
        List<Socket> sockets = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Socket>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(pool.submit(() -> login(host, port, user, password, db)));
        }
        int failed = 0;
        String firstError = null;
        for (Future<Socket> f : futures) {
            try {
                sockets.add(f.get());
            } catch (Exception e) {
                failed++;
                if (firstError == null) firstError = String.valueOf(e.getCause());
            }
        }
        pool.shutdown();
        System.out.println("READY " + sockets.size() + " FAILED " + failed + (firstError == null ? "" : " " + firstError));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
            // hold the connections
        }
        for (Socket s : sockets) {
            try { s.close(); } catch (IOException ignored) { }
        }
    }

    static Socket login(String host, int port, String user, String password, String db) throws Exception {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(30_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        byte[] hs = readPacket(in);
        if ((hs[0] & 0xff) == 0xff) throw new IOException("server refused: " + errText(hs));
        int p = 1;
        while (hs[p] != 0) p++;              // server version
        p += 1 + 4;                           // NUL, connection id
        byte[] scramble = new byte[20];
        System.arraycopy(hs, p, scramble, 0, 8);
        p += 8 + 1 + 2 + 1 + 2 + 2;           // part 1, filler, caps low, charset, status, caps high
        int authLen = hs[p] & 0xff;
        p += 1 + 10;                          // auth data length, reserved
        int part2 = Math.max(13, authLen - 8);
        System.arraycopy(hs, p, scramble, 8, 12);
        p += part2;
        byte[] token = nativeToken(password, scramble);
        int caps = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
                | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH | (db.isEmpty() ? 0 : CLIENT_CONNECT_WITH_DB);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        int4(b, caps);
        int4(b, 16 * 1024 * 1024);
        b.write(45);                          // utf8mb4_general_ci
        b.write(new byte[23]);
        b.write(user.getBytes(StandardCharsets.UTF_8)); b.write(0);
        b.write(token.length); b.write(token);
        if (!db.isEmpty()) {
            b.write(db.getBytes(StandardCharsets.UTF_8)); b.write(0);
        }
        b.write("mysql_native_password".getBytes(StandardCharsets.US_ASCII)); b.write(0);
        writePacket(out, 1, b.toByteArray());
        byte[] reply = readPacket(in);
        if ((reply[0] & 0xff) == 0xfe) {      // auth switch request: plugin name NUL, new scramble
            int q = 1;
            while (reply[q] != 0) q++;
            String plugin = new String(reply, 1, q - 1, StandardCharsets.US_ASCII);
            if (!plugin.equals("mysql_native_password")) throw new IOException("unsupported auth switch to " + plugin);
            byte[] s2 = Arrays.copyOfRange(reply, q + 1, q + 21);
            writePacket(out, 3, nativeToken(password, s2));
            reply = readPacket(in);
        }
        if ((reply[0] & 0xff) != 0) throw new IOException("login failed: " + errText(reply));
        s.setSoTimeout(0);
        return s;
    }

    static byte[] nativeToken(String password, byte[] scramble) throws Exception {
        if (password.isEmpty()) return new byte[0];
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] h1 = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
        byte[] h2 = sha1.digest(h1);
        sha1.update(scramble);
        byte[] h3 = sha1.digest(h2);
        for (int i = 0; i < h1.length; i++) h1[i] ^= h3[i];
        return h1;
    }

    static String errText(byte[] p) {
        return (p[0] & 0xff) == 0xff ? new String(p, 3, p.length - 3, StandardCharsets.UTF_8) : "packet 0x" + Integer.toHexString(p[0] & 0xff);
    }

    static void int4(java.io.ByteArrayOutputStream b, int v) {
        b.write(v); b.write(v >>> 8); b.write(v >>> 16); b.write(v >>> 24);
    }

    static byte[] readPacket(DataInputStream in) throws IOException {
        int len = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
        in.readUnsignedByte();                // sequence id
        byte[] p = new byte[len];
        in.readFully(p);
        return p;
    }

    static void writePacket(OutputStream out, int seq, byte[] payload) throws IOException {
        byte[] h = {(byte) payload.length, (byte) (payload.length >>> 8), (byte) (payload.length >>> 16), (byte) seq};
        out.write(h);
        out.write(payload);
        out.flush();
    }
}
