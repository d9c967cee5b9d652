package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mysql.cj.jdbc.JdbcConnection;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.auth.RsaKeys;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients log in to Berth's own accounts with either password plugin, over TLS or not. */
class AuthenticationIT {
    private static final String HASHED_USER = "hashed";
    private static final String HASHED_PASSWORD = "only-a-hash";

    private static String nativeHash(String password) {
        return "*" + HexFormat.of().withUpperCase().formatHex(
                NativePassword.doubleHash(password.getBytes(StandardCharsets.UTF_8)));
    }

    private static String whoAmI(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'through berth', 1 + 1")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(2));
            return rs.getString(1);
        }
    }

    @Test
    void cachingSha2LoginWithMariadbConnector() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "caching_sha2_password");
             Connection c = berth.mariadbConnection("")) {
            assertEquals("through berth", whoAmI(c));
        }
    }

    /**
     * Connector/J 9 behind a caching_sha2 greeting in front of MariaDB, whose version it reads as 5.5.5: a plain
     * account on the fast path (failed with "Unknown server response after fast auth"), over TLS too, one without a
     * password (answered with one NUL: denied before), a {@code *HEX} one switched to native, and COM_CHANGE_USER
     * between them.
     */
    @Test
    void connectorJBehindACachingSha2GreetingInFrontOfMariadb() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "caching_sha2_password",
                "--user", HASHED_USER + ":" + nativeHash(HASHED_PASSWORD), "--user", "anon:")) {
            String tls = "jdbc:mysql://" + berth.hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=REQUIRED";
            for (String url : new String[] {berth.mysqlUrl(""), tls}) {
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                    c.unwrap(JdbcConnection.class).changeUser("anon", "");
                    assertEquals("through berth", whoAmI(c));
                    c.unwrap(JdbcConnection.class).changeUser(HASHED_USER, HASHED_PASSWORD);
                    assertEquals("through berth", whoAmI(c));
                }
                try (Connection c = DriverManager.getConnection(url, "anon", "")) {
                    assertEquals("through berth", whoAmI(c));
                }
                try (Connection c = DriverManager.getConnection(url, HASHED_USER, HASHED_PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                }
                SQLException e = assertThrows(SQLException.class,
                        () -> DriverManager.getConnection(url, RunningBerth.USER, "wrong").close());
                assertEquals(1045, e.getErrorCode(), e.getMessage());
            }
        }
    }

    @Test
    void cachingSha2ClientIsSwitchedToNativeForAHashOnlyAccount() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "caching_sha2_password",
                "--user", HASHED_USER + ":" + nativeHash(HASHED_PASSWORD));
             Connection c = DriverManager.getConnection(berth.mariadbUrl(""), HASHED_USER, HASHED_PASSWORD)) {
            assertEquals("through berth", whoAmI(c));
        }
    }

    @Test
    void nativeLoginWithBothDriversAndAHashedAccount() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "mysql_native_password",
                "--user", HASHED_USER + ":" + nativeHash(HASHED_PASSWORD))) {
            for (String url : new String[] {berth.mysqlUrl(""), berth.mariadbUrl("")}) {
                try (Connection c = DriverManager.getConnection(url, HASHED_USER, HASHED_PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                }
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                }
            }
        }
    }

    @Test
    void wrongPasswordAndUnknownUserGet1045WithoutTouchingTheBackend() throws Exception {
        try (RunningBerth berth = RunningBerth.start()) {
            // Let the start-up warm-up connection settle so the count below is stable.
            try (Connection c = berth.mariadbConnection("")) {
                whoAmI(c);
            }
            long connects = berth.poolStats().connects();
            for (String url : new String[] {berth.mysqlUrl(""), berth.mariadbUrl("")}) {
                for (String user : new String[] {RunningBerth.USER, "nobody"}) {
                    SQLException e = assertThrows(SQLException.class,
                            () -> DriverManager.getConnection(url, user, "wrong").close());
                    assertEquals(1045, e.getErrorCode(), e.getMessage());
                    assertEquals("28000", e.getSQLState());
                    assertTrue(e.getMessage().contains("Access denied for user '" + user + "'"), e.getMessage());
                }
            }
            assertEquals(connects, berth.poolStats().connects(), "no backend connection is opened for a failed login");
        }
    }

    // ---- full authentication (caching_sha2_password) ----------------------------------------------------------

    /**
     * --caching-sha2-full-auth: both drivers send the password itself, over TLS in clear, without TLS RSA-encrypted
     * with the key Berth generated (Connector/J behind MariaDB's version with PKCS#1 padding, MariaDB Connector/J,
     * switched from the native answer it always gives first, with OAEP); a *HEX account logs in with caching_sha2 this
     * way too. A wrong password gets 1045 in every mode.
     */
    @Test
    void fullAuthenticationWithBothDrivers() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--caching-sha2-full-auth",
                "--user", HASHED_USER + ":" + nativeHash(HASHED_PASSWORD))) {
            String base = berth.hostPort() + "/" + TestDatabase.DATABASE + "?";
            List<String> urls = List.of(
                    berth.mysqlUrl(""), // allowPublicKeyRetrieval=true
                    "jdbc:mysql://" + base + "sslMode=REQUIRED",
                    berth.mariadbUrl("allowPublicKeyRetrieval=true"),
                    "jdbc:mariadb://" + base + "sslMode=trust");
            for (String url : urls) {
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD)) {
                    assertEquals("through berth", whoAmI(c), url);
                    if (url.startsWith("jdbc:mysql:")) {
                        // COM_CHANGE_USER goes through full authentication too, on the same connection.
                        c.unwrap(JdbcConnection.class).changeUser(HASHED_USER, HASHED_PASSWORD);
                        assertEquals("through berth", whoAmI(c), url);
                    }
                }
                try (Connection c = DriverManager.getConnection(url, HASHED_USER, HASHED_PASSWORD)) {
                    assertEquals("through berth", whoAmI(c), url);
                }
                for (String user : new String[] {RunningBerth.USER, HASHED_USER, "nobody"}) {
                    SQLException e = assertThrows(SQLException.class,
                            () -> DriverManager.getConnection(url, user, "wrong").close(), url);
                    assertEquals(1045, e.getErrorCode(), url + ": " + e.getMessage());
                }
            }
            // Without TLS, a driver not allowed to fetch the key refuses, as against MySQL: so both went this way.
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                    berth.mysqlUrl("allowPublicKeyRetrieval=false"), RunningBerth.USER, RunningBerth.PASSWORD));
            assertTrue(e.getMessage().contains("Public Key Retrieval is not allowed"), e.getMessage());
            e = assertThrows(SQLException.class, () -> berth.mariadbConnection("").close());
            assertTrue(e.getMessage().contains("RSA public key is not available"), e.getMessage());
        }
    }

    /** --rsa-key: the key is the operator's, so a client can pin its public half and never fetch it. */
    @Test
    void fullAuthenticationWithAGivenRsaKey(@TempDir Path dir) throws Exception {
        KeyPair keys = RsaKeys.generate();
        Path privateKey = Files.writeString(dir.resolve("private_key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Path publicKey = Files.writeString(dir.resolve("public_key.pem"), RsaKeys.toPem(keys.getPublic()));
        try (RunningBerth berth = RunningBerth.start("--caching-sha2-full-auth", "--rsa-key", privateKey.toString());
             Connection c = DriverManager.getConnection(berth.mysqlUrl("allowPublicKeyRetrieval=false"
                     + "&serverRSAPublicKeyFile=" + publicKey), RunningBerth.USER, RunningBerth.PASSWORD)) {
            assertEquals("through berth", whoAmI(c));
        }
        Path notAKey = Files.writeString(dir.resolve("not-a-key.pem"), "-----BEGIN CERTIFICATE-----\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunningBerth.start("--caching-sha2-full-auth", "--rsa-key", notAKey.toString()).close());
        assertTrue(e.getMessage().startsWith("--rsa-key " + notAKey + ": not an unencrypted PEM RSA private key"),
                e.getMessage());
    }

    /**
     * A client that insists on full authentication over TLS (libmariadb 3.4's caching_sha2 plugin) sends its password
     * in clear in the handshake response itself, with no scramble first: Berth takes it, with or without
     * --caching-sha2-full-auth (denied before), and answers OK without a fast-auth note. Raw bytes.
     */
    @Test
    void cleartextPasswordRightAwayOverTls() throws Exception {
        for (String[] flags : new String[][] {{}, {"--caching-sha2-full-auth"}}) {
            try (RunningBerth berth = RunningBerth.start(flags)) {
                try (RawTlsLogin login = RawTlsLogin.start(berth.port())) {
                    login.send(login.handshakeResponse(RunningBerth.USER, cleartext(RunningBerth.PASSWORD),
                            "caching_sha2_password"));
                    assertEquals("00", login.firstByteOfNext(3), "OK, sequence id 3");
                }
                try (RawTlsLogin login = RawTlsLogin.start(berth.port())) {
                    login.send(login.handshakeResponse(RunningBerth.USER, cleartext("wrong"), "caching_sha2_password"));
                    assertEquals("ff", login.firstByteOfNext(3), "ERR, sequence id 3");
                }
            }
        }
    }

    /** Full authentication over TLS in raw bytes: the scramble, "perform full authentication", the password, OK. */
    @Test
    void fullAuthenticationOverTlsInRawBytes() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--caching-sha2-full-auth");
             RawTlsLogin login = RawTlsLogin.start(berth.port())) {
            login.send(login.handshakeResponse(RunningBerth.USER, CachingSha2Password.scramble(
                    RunningBerth.PASSWORD.getBytes(StandardCharsets.UTF_8), login.seed), "caching_sha2_password"));
            assertEquals("0104", HexFormat.of().formatHex(login.next(3)), "AuthMoreData: perform full authentication");
            login.send(cleartext(RunningBerth.PASSWORD));
            assertEquals("00", login.firstByteOfNext(5), "OK");
        }
    }

    private static byte[] cleartext(String password) {
        return (password + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** A client that switches to TLS and then writes and reads frames: the bytes of a login, nothing more. */
    private static final class RawTlsLogin implements AutoCloseable {
        private static final int CAPABILITIES = 0x00000001 | 0x00000200 | 0x00000800 | 0x00002000 | 0x00008000
                | 0x00080000; // LONG_PASSWORD PROTOCOL_41 SSL TRANSACTIONS SECURE_CONNECTION PLUGIN_AUTH
        private final Socket plain;
        private SSLSocket tls;
        private byte[] seed;
        private int sequence;

        private RawTlsLogin(Socket plain) {
            this.plain = plain;
        }

        /** Connects, reads the greeting's seed, sends the SSLRequest and completes the TLS handshake. */
        static RawTlsLogin start(int port) throws Exception {
            RawTlsLogin login = new RawTlsLogin(new Socket("127.0.0.1", port));
            login.plain.setSoTimeout(10_000);
            byte[] greeting = readFrame(login.plain.getInputStream());
            int versionEnd = 4 + 1;
            while (greeting[versionEnd] != 0) {
                versionEnd++;
            }
            int part1 = versionEnd + 1 + 4;
            login.seed = new byte[20];
            System.arraycopy(greeting, part1, login.seed, 0, 8);
            System.arraycopy(greeting, part1 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10, login.seed, 8, 12);
            ByteArrayOutputStream sslRequest = new ByteArrayOutputStream();
            writeIntLe(sslRequest, CAPABILITIES);
            writeIntLe(sslRequest, 1 << 24);
            sslRequest.write(45);
            sslRequest.write(new byte[23]);
            login.sequence = 1;
            writeFrame(login.plain.getOutputStream(), login.sequence++, sslRequest.toByteArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // Berth's self-signed certificate: this test is about what goes inside.
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            login.tls = (SSLSocket) context.getSocketFactory().createSocket(login.plain, "127.0.0.1", port, true);
            login.tls.startHandshake();
            return login;
        }

        byte[] handshakeResponse(String user, byte[] authResponse, String plugin) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writeIntLe(out, CAPABILITIES);
            writeIntLe(out, 1 << 24);
            out.write(45);
            out.write(new byte[23]);
            out.write(user.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            out.write(authResponse.length);
            out.write(authResponse);
            out.write(plugin.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return out.toByteArray();
        }

        void send(byte[] payload) throws IOException {
            writeFrame(tls.getOutputStream(), sequence++, payload);
        }

        /** The next frame's payload, which must carry {@code expectedSequence}. */
        byte[] next(int expectedSequence) throws IOException {
            byte[] frame = readFrame(tls.getInputStream());
            assertEquals(expectedSequence, frame[3] & 0xff, "sequence id");
            sequence = expectedSequence + 1;
            return Arrays.copyOfRange(frame, 4, frame.length);
        }

        String firstByteOfNext(int expectedSequence) throws IOException {
            return HexFormat.of().formatHex(next(expectedSequence), 0, 1);
        }

        @Override
        public void close() throws IOException {
            plain.close();
        }

        private static byte[] readFrame(InputStream in) throws IOException {
            byte[] header = in.readNBytes(4);
            if (header.length < 4) {
                throw new EOFException("connection closed");
            }
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            byte[] frame = Arrays.copyOf(header, 4 + length);
            if (in.readNBytes(frame, 4, length) < length) {
                throw new EOFException("connection closed inside a frame");
            }
            return frame;
        }

        private static void writeFrame(OutputStream out, int sequence, byte[] payload) throws IOException {
            out.write(new byte[] {(byte) payload.length, (byte) (payload.length >>> 8), (byte) (payload.length >>> 16),
                    (byte) sequence});
            out.write(payload);
            out.flush();
        }

        private static void writeIntLe(ByteArrayOutputStream out, int value) {
            out.write(value);
            out.write(value >>> 8);
            out.write(value >>> 16);
            out.write(value >>> 24);
        }
    }

    @Test
    void tlsWithBothDriversAndRequireTlsRefusesPlainText() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--require-tls")) {
            String mysql = "jdbc:mysql://" + berth.hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=REQUIRED";
            String mariadb = "jdbc:mariadb://" + berth.hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=trust";
            for (String url : new String[] {mysql, mariadb}) {
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                }
            }
            SQLException e = assertThrows(SQLException.class, () -> berth.mariadbConnection("").close());
            assertEquals(3159, e.getErrorCode(), e.getMessage());
        }
    }
}
