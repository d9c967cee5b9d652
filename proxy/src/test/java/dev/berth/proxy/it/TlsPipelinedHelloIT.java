package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * A client that sends its SSLRequest and its TLS ClientHello in one TCP write (Go's driver with tls=preferred,
 * PyMySQL, {@code openssl s_client -starttls mysql}) must get its TLS handshake answered, not wait for the
 * handshake timeout.
 */
class TlsPipelinedHelloIT {
    private static final long CAPABILITIES = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_PROTOCOL_41
            | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
            | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH | Capabilities.CLIENT_SSL;

    /** A socket whose first write carries {@code prefix} in front of it, in the same write call. */
    private static final class PrefixingSocket extends Socket {
        private final byte[] prefix;
        private boolean prefixSent;

        PrefixingSocket(byte[] prefix) {
            this.prefix = prefix;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            OutputStream raw = super.getOutputStream();
            return new FilterOutputStream(raw) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (!prefixSent) {
                        prefixSent = true;
                        byte[] both = Arrays.copyOf(prefix, prefix.length + len);
                        System.arraycopy(b, off, both, prefix.length, len);
                        raw.write(both);
                    } else {
                        raw.write(b, off, len);
                    }
                }
            };
        }
    }

    @Test
    void sslRequestAndClientHelloInOneWrite() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--handshake-timeout", "30s")) {
            byte[] sslRequest = RawMysqlClient.frame(1, handshakeResponse(null, null, null));
            PrefixingSocket socket = new PrefixingSocket(sslRequest);
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", berth.port()), 5_000);
            socket.setSoTimeout(5_000);
            byte[] greetingFrame = readFrame(socket.getInputStream());
            RawMysqlClient.Greeting greeting = RawMysqlClient.parseGreeting(
                    Arrays.copyOfRange(greetingFrame, 4, greetingFrame.length));
            assertTrue((greeting.capabilities() & Capabilities.CLIENT_SSL) != 0, "Berth offers TLS by default");

            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new TrustingManager()}, null);
            long started = System.nanoTime();
            try (SSLSocket secure = (SSLSocket) tls.getSocketFactory()
                    .createSocket(socket, "127.0.0.1", berth.port(), true)) {
                secure.startHandshake(); // its ClientHello goes out in the same write as the SSLRequest
                long handshakeMillis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(handshakeMillis < 5_000, "TLS handshake took " + handshakeMillis + " ms");

                byte[] auth = NativePassword.scramble(RunningBerth.PASSWORD.getBytes(StandardCharsets.UTF_8),
                        greeting.seed());
                secure.getOutputStream().write(RawMysqlClient.frame(2,
                        handshakeResponse(RunningBerth.USER, auth, NativePassword.NAME)));
                byte[] ok = readFrame(secure.getInputStream());
                assertEquals(0x00, ok[4] & 0xff, "login over TLS answered with " + Arrays.toString(ok));
            }
        }
    }

    private static byte[] handshakeResponse(String user, byte[] auth, String plugin) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        writeIntLe(p, CAPABILITIES, 4);
        writeIntLe(p, 16 * 1024 * 1024, 4);
        p.write(RawMysqlClient.UTF8MB4_GENERAL_CI);
        p.writeBytes(new byte[23]);
        if (user != null) {
            p.writeBytes(user.getBytes(StandardCharsets.UTF_8));
            p.write(0);
            p.write(auth.length);
            p.writeBytes(auth);
            p.writeBytes(plugin.getBytes(StandardCharsets.UTF_8));
            p.write(0);
        }
        return p.toByteArray();
    }

    private static void writeIntLe(ByteArrayOutputStream out, long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    /** One frame, header included. */
    private static byte[] readFrame(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[4];
        data.readFully(header);
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        byte[] frame = Arrays.copyOf(header, 4 + length);
        data.readFully(frame, 4, length);
        return frame;
    }

    /** Berth's certificate is self-signed; this test is about framing, not trust. */
    private static final class TrustingManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
