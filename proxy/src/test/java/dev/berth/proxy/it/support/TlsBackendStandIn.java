package dev.berth.proxy.it.support;

import dev.berth.mysql.message.HandshakeV10;
import dev.berth.mysql.message.OkPacket;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A stand-in for a MySQL server with TLS, on a loopback port: it greets with CLIENT_SSL, takes the SSLRequest, does
 * the TLS handshake with the given context, then accepts any login and answers every command but COM_QUIT with an
 * OK. It records the user of each login, which it only ever reads over TLS.
 */
public final class TlsBackendStandIn implements AutoCloseable {
    private static final long CAPABILITIES = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_LONG_FLAG
            | Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SSL | Capabilities.CLIENT_TRANSACTIONS
            | Capabilities.CLIENT_SECURE_CONNECTION | Capabilities.CLIENT_PLUGIN_AUTH;
    private static final int AUTOCOMMIT = 0x0002;
    private static final int COM_QUIT = 0x01;
    /** HandshakeResponse41: capabilities (4), max packet (4), character set (1), filler (23), then the user. */
    private static final int USER_OFFSET = 32;

    private final ServerSocket listener;
    private final SSLContext tls;
    private final List<String> logins = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    private TlsBackendStandIn(ServerSocket listener, SSLContext tls) {
        this.listener = listener;
        this.tls = tls;
    }

    public static TlsBackendStandIn start(SSLContext tls) throws IOException {
        TlsBackendStandIn standIn = new TlsBackendStandIn(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), tls);
        daemon("tls-backend-accept", standIn::acceptLoop);
        return standIn;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The users that logged in, over TLS. */
    public List<String> logins() {
        return List.copyOf(logins);
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket socket = listener.accept();
                connections.add(socket);
                daemon("tls-backend-conn", () -> serve(socket));
            }
        } catch (IOException closed) {
            // close() was called
        }
    }

    private void serve(Socket plain) {
        try {
            write(plain.getOutputStream(), 0, out -> new HandshakeV10("10.11.0-standin", 1, new byte[20],
                    CAPABILITIES, 45, AUTOCOMMIT, "mysql_native_password").encode(out));
            read(plain.getInputStream()); // the SSLRequest
            SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
            connections.add(secure);
            secure.setUseClientMode(false);
            secure.startHandshake(); // fails when the client refuses the certificate
            byte[] response = read(secure.getInputStream());
            int end = USER_OFFSET;
            while (response[end] != 0) {
                end++;
            }
            logins.add(new String(response, USER_OFFSET, end - USER_OFFSET, StandardCharsets.UTF_8));
            write(secure.getOutputStream(), 3, this::ok);
            for (byte[] command = read(secure.getInputStream()); command[0] != COM_QUIT;
                    command = read(secure.getInputStream())) {
                write(secure.getOutputStream(), 1, this::ok);
            }
            secure.close();
        } catch (IOException gone) {
            // the client went away, or refused the handshake
        }
    }

    private void ok(ByteBuf out) {
        OkPacket.ok(AUTOCOMMIT).encode(out, CAPABILITIES);
    }

    private static byte[] read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[4];
        data.readFully(header);
        byte[] payload = new byte[(header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16];
        data.readFully(payload);
        return payload;
    }

    private static void write(OutputStream out, int sequence, Consumer<ByteBuf> payloadWriter) throws IOException {
        ByteBuf payload = Unpooled.buffer();
        payloadWriter.accept(payload);
        out.write(RawMysqlClient.frame(sequence, ByteBufUtil.getBytes(payload)));
        out.flush();
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }
}
