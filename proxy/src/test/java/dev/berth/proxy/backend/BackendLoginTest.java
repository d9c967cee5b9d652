package dev.berth.proxy.backend;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.frame;
import static dev.berth.mysql.Golden.hex;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.auth.RsaKeys;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.HandshakeV10Test;
import dev.berth.proxy.cli.VersionProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.io.ByteArrayOutputStream;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Cipher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Berth logging in to a scripted server: the server's bytes go in on an {@link EmbeddedChannel} (with the frame
 * decoder in front, as {@link BackendConnector} sets it up), and what Berth answers comes out byte for byte.
 * The backend account is {@code berth} / {@code secret} ({@link EmbeddedBackend#config()}).
 */
class BackendLoginTest {
    /** Real: MariaDB 10.11.19's greeting, seed {@code F1_l~Y!5)j]rFFmt{.qp}, connection id 114. */
    private static final String MARIADB_GREETING = HandshakeV10Test.MARIADB_GREETING;

    /**
     * Hand-written in the layout of a MySQL 8.0 greeting (no MySQL 8 server here to capture one): every capability
     * below bit 30, utf8mb4_0900_ai_ci, caching_sha2_password.
     */
    private static final String MYSQL8_GREETING = """
            0a                          # protocol version 10
            '8.0.40' 00                 # server version
            0b 00 00 00                 # connection id 11
            'x=Q4n%u]'                  # auth-plugin-data part 1
            00                          # filler
            ff ff                       # capabilities, low 16 bits
            ff                          # character set 255, utf8mb4_0900_ai_ci
            02 00                       # status: AUTOCOMMIT
            ff df                       # capabilities, high 16 bits: 0xdfff
            15                          # auth-plugin-data length 21
            00 00 00 00 00 00 00 00 00 00  # reserved
            'L0&w;Hb^kzM7' 00           # auth-plugin-data part 2 and its NUL
            'caching_sha2_password' 00  # auth plugin name
            """;
    private static final byte[] MYSQL8_SEED = "x=Q4n%u]L0&w;Hb^kzM7".getBytes(US_ASCII);

    /**
     * The fixed part of Berth's answer to MariaDB: Berth's capability set as far as the server offers it. MariaDB
     * leaves out bit 0 (CLIENT_LONG_PASSWORD; to MariaDB, CLIENT_MYSQL), so Berth does too.
     */
    private static final String MARIADB_RESPONSE = """
            78 00 00 01                 # frame: 120 bytes, sequence id 1
            84 a2 bf 01                 # capabilities 0x01bfa284: LONG_FLAG LOCAL_FILES PROTOCOL_41 TRANSACTIONS
                                        #   SECURE_CONNECTION MULTI_STATEMENTS MULTI_RESULTS PS_MULTI_RESULTS
                                        #   PLUGIN_AUTH CONNECT_ATTRS PLUGIN_AUTH_LENENC_CLIENT_DATA SESSION_TRACK
                                        #   DEPRECATE_EOF
            00 00 00 40                 # max packet 1 GiB
            2d                          # character set 45, utf8mb4_general_ci
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler
            'berth' 00                  # user
            14                          # auth response: 20 bytes, the native scramble of "secret" to the seed
            42 b9 eb c3 cf 86 89 9f 6a 52 0b 33 9f 15 60 ff c4 e5 8b 52  #   (python hashlib)
            'mysql_native_password' 00  # auth plugin
            """;
    /** To MySQL 8 Berth asks for CLIENT_LONG_PASSWORD too, and answers caching_sha2_password's scramble. */
    private static final String MYSQL8_RESPONSE = """
            84 00 00 01                 # frame: 132 bytes, sequence id 1
            85 a2 bf 01                 # capabilities 0x01bfa285: as to MariaDB, and LONG_PASSWORD
            00 00 00 40                 # max packet 1 GiB
            2d                          # character set 45, utf8mb4_general_ci
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler
            'berth' 00                  # user
            20                          # auth response: 32 bytes, sha256(pw) XOR sha256(sha256(sha256(pw)) + seed)
            98 55 fc e1 1b 94 03 1f 15 ca 16 ca 66 2f 79 e8  #   for "secret" (python hashlib)
            96 3c 33 59 dc 43 a2 a8 c5 e3 62 28 62 17 9e 6c
            'caching_sha2_password' 00  # auth plugin
            """;
    /** The connection attributes that end both answers: Berth is the program, and its version is this build's. */
    private static final String ATTRIBUTE_BLOCK = String.format("""
            %02x                          # attributes: 54 bytes and the version's
            0c '_client_name' 05 'berth'
            0c 'program_name' 05 'berth'
            0e '_berth_version' %02x '%s'
            """, 54 + VersionProvider.version().length(), VersionProvider.version().length(),
            VersionProvider.version());

    private static final String OK = EmbeddedBackend.LOGIN_OK;
    private static final String ACCESS_DENIED = """
            ff                          # header: ERR
            15 04                       # error 1045, ER_ACCESS_DENIED_ERROR
            23 '28000'                  # SQL state
            'Access denied for user ' 27 'berth' 27 '@' 27 'localhost' 27 ' (using password: YES)'
            """;

    private EmbeddedChannel server;
    private Promise<BackendConnection> login;

    @BeforeEach
    void connect() {
        server = new EmbeddedChannel();
        login = server.eventLoop().newPromise();
        server.pipeline().addLast("frames", new PacketFrameDecoder(Long.MAX_VALUE))
                .addLast("login", new BackendLogin(EmbeddedBackend.config(), EmbeddedBackend.ACCOUNT, null, false, 7,
                        login));
    }

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
    }

    private byte[] sent() {
        ByteBuf frame = server.readOutbound();
        if (frame == null) {
            return null;
        }
        try {
            return bytes(frame);
        } finally {
            frame.release();
        }
    }

    /**
     * The handshake response: {@code fixed} exactly, then the attributes. The frame length in {@code fixed} counts
     * 38 bytes of attributes; the version makes them longer, so the expected length is counted here.
     */
    private static void assertHandshakeResponse(String fixed, byte[] actual) {
        byte[] expected = concat(hex(fixed), hex(ATTRIBUTE_BLOCK));
        int length = expected.length - 4;
        expected[0] = (byte) length;
        expected[1] = (byte) (length >> 8);
        expected[2] = (byte) (length >> 16);
        assertEquals(hexOf(expected), hexOf(actual));
    }

    @Test
    void answersTheMariaDbGreetingWithItsHandshakeResponse() {
        server.writeInbound(frame(0, MARIADB_GREETING));
        assertHandshakeResponse(MARIADB_RESPONSE, sent());
        assertNull(sent());
        assertFalse(login.isDone());
    }

    @Test
    void greetingReadOneByteAtATime() {
        byte[] wire = bytes(frame(0, MARIADB_GREETING));
        for (int i = 0; i < wire.length - 1; i++) {
            server.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
            assertNull(sent(), "answered after " + (i + 1) + " of " + wire.length + " bytes");
        }
        server.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1));
        assertHandshakeResponse(MARIADB_RESPONSE, sent());
    }

    @Test
    void okCompletesTheLoginWithAConnectionThatRoutesResponses() {
        server.writeInbound(frame(0, MARIADB_GREETING));
        sent();
        server.writeInbound(frame(2, OK));

        assertTrue(login.isSuccess());
        BackendConnection c = login.getNow();
        assertEquals(114, c.serverConnectionId());
        assertEquals("1bfa284", Long.toHexString(c.capabilities()));
        assertEquals(new BackendInfo("5.5.5-10.11.19-MariaDB-0+deb12u1", 45, 0x81fff7feL), c.info());
        assertEquals(45, c.characterSet());
        assertFalse(c.foundRows());
        assertTrue(c.idle());
        assertTrue(server.isOpen());

        // The login handler is gone: a command's answer now goes to the command's sink.
        List<String> results = new ArrayList<>();
        InternalCommand.send(c, InternalCommand.ping(server.alloc()), (backend, error, lost) ->
                results.add(error + "/" + lost), true);
        assertArrayEquals(hex("01 00 00 00  0e  # COM_PING"), sent());
        server.writeInbound(frame(1, OK));
        assertEquals(List.of("null/null"), results);
        assertTrue(c.idle());
    }

    @Test
    void errFailsTheLoginNamingTheServerError() {
        server.writeInbound(frame(0, MARIADB_GREETING));
        sent();
        server.writeInbound(frame(2, ACCESS_DENIED));

        assertTrue(login.isDone());
        BackendLogin.BackendRefusedException refused = assertInstanceOf(BackendLogin.BackendRefusedException.class,
                login.cause());
        assertEquals(new ErrPacket(1045, "28000", "Access denied for user 'berth'@'localhost' (using password: YES)"),
                refused.error);
        assertEquals("the backend refused the login: ERROR 1045 (28000): Access denied for user 'berth'@'localhost' "
                + "(using password: YES)", refused.getMessage());
        assertFalse(server.isOpen());
    }

    /** A server at its connection limit sends an ERR in place of the greeting, without SQL state. */
    @Test
    void errInPlaceOfTheGreeting() {
        server.writeInbound(frame(0, """
                ff                      # header: ERR
                10 04                   # error 1040, ER_CON_COUNT_ERROR
                'Too many connections'
                """));
        assertNull(sent());
        assertEquals("the backend refused the login: ERROR 1040 (HY000): Too many connections",
                login.cause().getMessage());
        assertFalse(server.isOpen());
    }

    @Test
    void closedBeforeTheEndOfTheLogin() {
        server.writeInbound(frame(0, MARIADB_GREETING));
        sent();
        server.close();
        assertEquals("the backend closed the connection during login", login.cause().getMessage());
    }

    /** The account uses mysql_native_password on a MySQL 8: the server asks Berth to answer again, to a new seed. */
    @Test
    void authSwitchToNative() {
        server.writeInbound(frame(0, MYSQL8_GREETING));
        assertHandshakeResponse(MYSQL8_RESPONSE, sent());

        server.writeInbound(frame(2, """
                fe                          # AuthSwitchRequest
                'mysql_native_password' 00  # plugin
                'switch-seed-twenty!!' 00   # new seed, with the NUL servers add
                """));
        assertArrayEquals(hex("""
                14 00 00 03                 # frame: 20 bytes, sequence id 3
                5d 49 2f 92 d9 25 95 64 49 61 d2 74 49 2e 2d fb 5f 32 e3 01  # native scramble of "secret" to the
                                                                             # new seed (python hashlib)
                """), sent());

        server.writeInbound(frame(4, OK));
        assertEquals(11, login.getNow().serverConnectionId());
    }

    @Test
    void cachingSha2FastAuthentication() {
        server.writeInbound(frame(0, MYSQL8_GREETING));
        assertHandshakeResponse(MYSQL8_RESPONSE, sent());

        server.writeInbound(frame(2, "01 03  # AuthMoreData: fast auth success, an OK follows"));
        assertNull(sent());
        assertFalse(login.isDone());

        server.writeInbound(frame(3, OK));
        BackendConnection c = login.getNow();
        assertEquals(255, c.info().characterSet());
        // The handshake asked for utf8mb4_general_ci: that, not the server's default, is the session's.
        assertEquals(45, c.characterSet());
    }

    /**
     * Not cached on the server, no TLS: Berth asks for the server's public key and sends the password encrypted with
     * it, XORed with the seed. The test decrypts with the private key to check.
     */
    @Test
    void cachingSha2FullAuthenticationWithoutTls() throws Exception {
        KeyPair keys = RsaKeys.generate();
        server.writeInbound(frame(0, MYSQL8_GREETING));
        sent();

        server.writeInbound(frame(2, "01 04  # AuthMoreData: perform full authentication"));
        assertArrayEquals(hex("01 00 00 03  02  # request public key"), sent());

        ByteBuf pem = Unpooled.buffer().writeByte(0x01).writeBytes(RsaKeys.toPem(keys.getPublic()).getBytes(US_ASCII));
        server.writeInbound(frame(4, bytes(pem)));
        byte[] encrypted = sent();
        assertEquals(256 + 4, encrypted.length);
        assertEquals(5, encrypted[3]);
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        rsa.init(Cipher.DECRYPT_MODE, keys.getPrivate());
        byte[] masked = rsa.doFinal(encrypted, 4, 256);
        byte[] password = new byte[masked.length];
        for (int i = 0; i < masked.length; i++) {
            password[i] = (byte) (masked[i] ^ MYSQL8_SEED[i % MYSQL8_SEED.length]);
        }
        assertArrayEquals("secret\0".getBytes(US_ASCII), password);

        server.writeInbound(frame(6, OK));
        assertTrue(login.isSuccess());
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hexOf(byte[] bytes) {
        return java.util.HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
