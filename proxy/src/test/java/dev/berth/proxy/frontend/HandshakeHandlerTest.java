package dev.berth.proxy.frontend;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.frame;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.proxy.frontend.TestServers.MARIADB;
import static dev.berth.proxy.frontend.TestServers.MYSQL_8;
import static dev.berth.proxy.frontend.TestServers.NO_TLS;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.config.ClientAuthConfig;
import dev.berth.config.ClientTlsConfig;
import dev.berth.mysql.auth.RsaKeys;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.proxy.backend.BackendInfo;
import dev.berth.proxy.tls.TlsContexts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection phase toward a client, on the pipeline {@code BerthServer} gives each client ("frames", then
 * "handshake"), with the client's bytes written in and Berth's read out. The backend is known to the pool but never
 * reached (see {@link TestServers}). Berth's seeds are random: each test reads the seed from what Berth sent and
 * computes the client's answer here, with {@link MessageDigest}.
 */
class HandshakeHandlerTest {
    private static final String NATIVE = "mysql_native_password";
    private static final String SHA2 = "caching_sha2_password";
    private static SslContext clientTls;

    private ServerContext server;
    private EmbeddedChannel client;

    @AfterEach
    void close() {
        if (client != null) {
            client.finishAndReleaseAll();
        }
    }

    private static synchronized SslContext clientTls() {
        if (clientTls == null) {
            clientTls = TlsContexts.forClients(TestServers.TLS);
        }
        return clientTls;
    }

    /** A server that greets with {@code backend}'s version, under {@code --default-auth} and the TLS settings. */
    private static ServerContext server(BackendInfo backend, String defaultAuth, ClientTlsConfig tls) {
        BerthConfig config = TestServers.config(defaultAuth, tls);
        return TestServers.context(config, backend, tls.enabled() ? clientTls() : null);
    }

    /** A client connects: the channel becomes active and Berth greets it. */
    private EmbeddedChannel connect(ServerContext server) {
        this.server = server;
        client = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("frames", new PacketFrameDecoder(HandshakeHandler.MAX_HANDSHAKE_PACKET));
                ch.pipeline().addLast("handshake", new HandshakeHandler(server));
            }
        });
        return client;
    }

    /** The next frame Berth wrote to the client, or null. */
    private byte[] received() {
        return received(client);
    }

    private static byte[] received(EmbeddedChannel channel) {
        ByteBuf frame = channel.readOutbound();
        if (frame == null) {
            return null;
        }
        try {
            return bytes(frame);
        } finally {
            frame.release();
        }
    }

    /** Connects, and returns the 20-byte seed of the greeting. */
    private byte[] connectAndReadSeed(ServerContext server) {
        connect(server);
        return seedOf(received());
    }

    /** The seed of a greeting frame: its 8 + 12 bytes, found from the end (plugin name and NULs after it). */
    private static byte[] seedOf(byte[] greeting) {
        int versionEnd = indexOf(greeting, (byte) 0, 5);
        int part1 = versionEnd + 1 + 4;
        int part2 = part1 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
        byte[] seed = new byte[20];
        System.arraycopy(greeting, part1, seed, 0, 8);
        System.arraycopy(greeting, part2, seed, 8, 12);
        return seed;
    }

    // ---- the greeting -----------------------------------------------------------------------------------------

    @Test
    void greetingShowsTheBackendAndOffersNoTlsWhenOff() {
        byte[] greeting = received(connect(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS)));
        byte[] seed = seedOf(greeting);
        assertArrayEquals(concat(hex("""
                64 00 00 00                 # frame: 100 bytes, sequence id 0
                0a                          # protocol version 10
                '5.5.5-10.11.19-MariaDB-0+deb12u1' 00  # the backend's version, as its own greeting has it
                01 00 00 00                 # connection id 1: the server's first client
                """), Arrays.copyOf(seed, 8), hex("""
                00                          # filler
                af f6                       # capabilities, low 16 bits: 0xf6af, everything Berth proxies, CLIENT_COMPRESS
                                            #   but CLIENT_SSL (0x0800)
                2d                          # character set 45: the backend's
                02 00                       # status: AUTOCOMMIT
                ff 05                       # capabilities, high 16 bits: 0x05ff, up to CLIENT_DEPRECATE_EOF, and zstd
                15                          # auth-plugin-data length 21
                00 00 00 00 00 00 00 00 00 00  # reserved
                """), Arrays.copyOfRange(seed, 8, 20), hex("""
                00                          # the seed's NUL
                'mysql_native_password' 00  # --default-auth auto, for MariaDB
                """)), greeting);
        for (byte b : seed) {
            assertTrue(b > 0 && b != '$', "seed byte " + b);
        }

        // The next client gets the next id and a seed of its own.
        EmbeddedChannel second = new EmbeddedChannel(new HandshakeHandler(server));
        byte[] secondGreeting = received(second);
        assertArrayEquals(hex("02 00 00 00"), Arrays.copyOfRange(secondGreeting, 38, 42));
        assertFalse(Arrays.equals(seed, seedOf(secondGreeting)));
        second.finishAndReleaseAll();
    }

    @Test
    void greetingOffersTlsWhenOnAndCachingSha2ForMySql8() {
        byte[] greeting = received(connect(server(MYSQL_8, BerthConfig.AUTO_AUTH, TestServers.TLS)));
        byte[] seed = seedOf(greeting);
        assertArrayEquals(concat(hex("""
                4a 00 00 00                 # frame: 74 bytes, sequence id 0
                0a                          # protocol version 10
                '8.0.40' 00                 # the backend's version
                01 00 00 00                 # connection id 1
                """), Arrays.copyOf(seed, 8), hex("""
                00                          # filler
                af fe                       # capabilities, low 16 bits: 0xfeaf, CLIENT_SSL included
                ff                          # character set 255: the backend's
                02 00                       # status: AUTOCOMMIT
                ff 05                       # capabilities, high 16 bits
                15                          # auth-plugin-data length 21
                00 00 00 00 00 00 00 00 00 00  # reserved
                """), Arrays.copyOfRange(seed, 8, 20), hex("""
                00                          # the seed's NUL
                'caching_sha2_password' 00  # --default-auth auto, for MySQL 8
                """)), greeting);
    }

    // ---- logging in -------------------------------------------------------------------------------------------

    @Test
    void nativeLoginIsAnsweredOkAndHandsOverToTheCommandPhase() {
        byte[] seed = connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("app", nativeScramble("secret", seed), NATIVE));

        assertArrayEquals(hex("""
                07 00 00 02                 # frame: 7 bytes, sequence id 2
                00 00 00                    # OK, no rows, no insert id
                02 00                       # status: AUTOCOMMIT
                00 00                       # warnings
                """), received());
        assertNull(received());
        assertNull(client.pipeline().get("handshake"));
        assertInstanceOf(CommandPhase.class, client.pipeline().get("commands"));
        ClientSession session = server.sessions().get(1L);
        assertEquals("app", session.user());
        assertEquals(33, session.characterSet());
        assertNull(session.schema());

        // COM_RESET_CONNECTION with no backend taken yet: the command phase answers it itself.
        client.writeInbound(frame(0, "1f  # COM_RESET_CONNECTION"));
        assertArrayEquals(hex("07 00 00 01  00 00 00 02 00 00 00"), received());
        assertTrue(client.isOpen());
    }

    @Test
    void wrongPasswordIsRefusedAsTheServerWould() {
        byte[] seed = connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("app", nativeScramble("Secret", seed), NATIVE));

        assertArrayEquals(bytes(frame(2, """
                ff                          # ERR
                15 04                       # 1045, ER_ACCESS_DENIED_ERROR
                23 '28000'                  # SQL state
                'Access denied for user ' 27 'app' 27 '@' 27 'localhost' 27 ' (using password: YES)'
                """)), received());
        assertFalse(client.isOpen());
        assertTrue(server.sessions().isEmpty());
    }

    @Test
    void unknownUserWithoutPasswordIsRefusedSayingSo() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("nobody", new byte[0], NATIVE));

        assertArrayEquals(bytes(frame(2, """
                ff 15 04 23 '28000'         # ERR 1045 (28000)
                'Access denied for user ' 27 'nobody' 27 '@' 27 'localhost' 27 ' (using password: NO)'
                """)), received());
        assertFalse(client.isOpen());
    }

    /** caching_sha2_password verified on the fast path: AuthMoreData "fast auth success", then the OK. */
    @Test
    void cachingSha2Login() {
        byte[] seed = connectAndReadSeed(server(MYSQL_8, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("app", sha2Scramble("secret", seed), SHA2));

        assertArrayEquals(hex("02 00 00 02  01 03  # AuthMoreData: fast auth success"), received());
        assertArrayEquals(hex("07 00 00 03  00 00 00 02 00 00 00  # OK"), received());
        assertInstanceOf(CommandPhase.class, client.pipeline().get("commands"));
    }

    /**
     * No password, as the server does it: the OK alone, no fast-auth note. libmariadb's plugin has returned after
     * sending its empty answer and takes the note for a bad OK ("Can't connect to server"); PyMySQL and Connector/J
     * answer the note with another empty packet.
     */
    @Test
    void cachingSha2LoginWithoutPasswordHasNoFastAuthNote() {
        connectAndReadSeed(server(MYSQL_8, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("anon", new byte[0], SHA2));

        assertArrayEquals(hex("07 00 00 02  00 00 00 02 00 00 00  # OK"), received());
        assertNull(received());
        assertEquals("anon", server.sessions().get(1L).user());
    }

    /**
     * Connector/J reads a server older than 5.5.16 as sending auth data without AuthMoreData's 0x01 header, and
     * MariaDB's "5.5.5-10.11..." reads as 5.5.5: it took 01 03 for an unknown fast-auth result 0x01 ("Unknown server
     * response after fast auth"). For it, behind such a version, the note goes without the header.
     */
    @Test
    void connectorJGetsTheFastAuthNoteAsAnOldServerSendsIt() {
        byte[] seed = connectAndReadSeed(server(MARIADB, SHA2, NO_TLS));
        client.writeInbound(connectorJResponse("app", sha2Scramble("secret", seed), SHA2));

        assertArrayEquals(hex("01 00 00 02  03  # fast auth success, without the AuthMoreData header"), received());
        assertArrayEquals(hex("07 00 00 03  00 00 00 02 00 00 00  # OK"), received());
        assertInstanceOf(CommandPhase.class, client.pipeline().get("commands"));
    }

    /** Behind a version Connector/J reads as 5.5.16 or later, it gets the note as every client does. */
    @Test
    void connectorJGetsTheUsualFastAuthNoteBehindMySql8() {
        byte[] seed = connectAndReadSeed(server(MYSQL_8, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(connectorJResponse("app", sha2Scramble("secret", seed), SHA2));

        assertArrayEquals(hex("02 00 00 02  01 03  # AuthMoreData: fast auth success"), received());
        assertArrayEquals(hex("07 00 00 03  00 00 00 02 00 00 00  # OK"), received());
    }

    /** Connector/J's caching_sha2 answer for no password is one NUL, which the server takes for none (no note). */
    @Test
    void connectorJWithoutPassword() {
        connectAndReadSeed(server(MARIADB, SHA2, NO_TLS));
        client.writeInbound(connectorJResponse("anon", hex("00"), SHA2));

        assertArrayEquals(hex("07 00 00 02  00 00 00 02 00 00 00  # OK"), received());
        assertEquals("anon", server.sessions().get(1L).user());
    }

    /**
     * The account is a {@code *HEX} hash, which can't check the caching_sha2 answer: Berth asks for a native one, to a
     * new seed, and the client's answer (a bare 20-byte payload) logs it in.
     */
    @Test
    void authSwitchRoundTrip() {
        byte[] seed = connectAndReadSeed(server(MYSQL_8, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("hashed", sha2Scramble("secret", seed), SHA2));

        byte[] request = received();
        byte[] switchSeed = Arrays.copyOfRange(request, 4 + 1 + 22, 4 + 1 + 22 + 20);
        assertArrayEquals(concat(hex("""
                2c 00 00 02                 # frame: 44 bytes, sequence id 2
                fe                          # AuthSwitchRequest
                'mysql_native_password' 00  # plugin
                """), switchSeed, hex("00  # the seed's NUL")), request);
        assertFalse(Arrays.equals(seed, switchSeed), "a switch gets a fresh seed");

        client.writeInbound(frame(3, nativeScramble("secret", switchSeed)));
        assertArrayEquals(hex("07 00 00 04  00 00 00 02 00 00 00  # OK"), received());
        assertEquals("hashed", server.sessions().get(1L).user());
    }

    /**
     * {@code mariadb --default-auth=caching_sha2_password} against a native greeting: libmariadb had no seed for its
     * plugin, so it answers nothing and waits for a switch. It gets one to caching_sha2_password, as from the server,
     * and logs in on the fast path.
     */
    @Test
    void emptyAnswerForAnotherPluginIsSwitchedToIt() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("app", new byte[0], SHA2));

        byte[] request = received();
        byte[] switchSeed = Arrays.copyOfRange(request, 4 + 1 + 22, 4 + 1 + 22 + 20);
        assertArrayEquals(concat(hex("""
                2c 00 00 02                 # frame: 44 bytes, sequence id 2
                fe                          # AuthSwitchRequest
                'caching_sha2_password' 00  # the plugin the client named
                """), switchSeed, hex("00  # the seed's NUL")), request);

        client.writeInbound(frame(3, sha2Scramble("secret", switchSeed)));
        assertArrayEquals(hex("02 00 00 04  01 03  # AuthMoreData: fast auth success"), received());
        assertArrayEquals(hex("07 00 00 05  00 00 00 02 00 00 00  # OK"), received());
        assertEquals("app", server.sessions().get(1L).user());
    }

    /**
     * The reverse, for an account without a password: {@code mariadb --default-auth=mysql_native_password -uanon}
     * against a caching_sha2 greeting. Its empty answer would be right, but the client's native plugin waits for a
     * seed; an OK here is read as a malformed one ("Error in server handshake").
     */
    @Test
    void emptyAnswerForAnotherPluginIsSwitchedEvenWithoutAPassword() {
        connectAndReadSeed(server(MYSQL_8, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("anon", new byte[0], NATIVE));

        byte[] request = received();
        assertArrayEquals(hex("2c 00 00 02  fe 'mysql_native_password' 00"), Arrays.copyOf(request, 27));
        client.writeInbound(frame(3, new byte[0]));
        assertArrayEquals(hex("07 00 00 04  00 00 00 02 00 00 00  # OK"), received());
        assertEquals("anon", server.sessions().get(1L).user());
    }

    // ---- full authentication (--caching-sha2-full-auth) ---------------------------------------------------------

    private static final KeyPair KEYS = RsaKeys.generate();

    private static ServerContext fullAuthServer(BackendInfo backend) {
        BerthConfig config = TestServers.config(new ClientAuthConfig(SHA2, true, Optional.empty()), NO_TLS);
        return TestServers.context(config, backend, null, KEYS);
    }

    /**
     * Without TLS, as MySQL 8 does for an account not yet cached: "perform full authentication", the client asks for
     * the public key, and sends its password encrypted with it (OAEP), XOR the seed; then the OK, with no note.
     */
    @Test
    void fullAuthenticationWithTheRsaKey() throws Exception {
        byte[] seed = connectAndReadSeed(fullAuthServer(MYSQL_8));
        client.writeInbound(mariadbClientResponse("hashed", sha2Scramble("secret", seed), SHA2));
        assertArrayEquals(hex("02 00 00 02  01 04  # AuthMoreData: perform full authentication"), received());
        assertNull(received());

        client.writeInbound(frame(3, "02  # request public key"));
        byte[] key = received();
        byte[] pem = RsaKeys.toPem(KEYS.getPublic()).getBytes(UTF_8);
        assertArrayEquals(concat(frameHeader(1 + pem.length, 4), hex("01  # AuthMoreData"), pem), key);

        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        oaep.init(Cipher.ENCRYPT_MODE, RsaKeys.parsePem(Arrays.copyOfRange(key, 5, key.length)));
        client.writeInbound(frame(5, oaep.doFinal(xor(concat(utf8("secret"), hex("00")), seed))));
        assertArrayEquals(hex("07 00 00 06  00 00 00 02 00 00 00  # OK"), received());
        assertEquals("hashed", server.sessions().get(1L).user());
    }

    /** The same with Connector/J behind MariaDB's version: no AuthMoreData headers, PKCS#1 v1.5 padding. */
    @Test
    void fullAuthenticationWithConnectorJBehindMariadb() throws Exception {
        byte[] seed = connectAndReadSeed(fullAuthServer(MARIADB));
        client.writeInbound(connectorJResponse("app", sha2Scramble("secret", seed), SHA2));
        assertArrayEquals(hex("01 00 00 02  04  # perform full authentication, no header"), received());

        client.writeInbound(frame(3, "02  # request public key"));
        byte[] pem = RsaKeys.toPem(KEYS.getPublic()).getBytes(UTF_8);
        assertArrayEquals(concat(frameHeader(pem.length, 4), pem), received());

        Cipher pkcs1 = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        pkcs1.init(Cipher.ENCRYPT_MODE, KEYS.getPublic());
        client.writeInbound(frame(5, pkcs1.doFinal(xor(concat(utf8("secret"), hex("00")), seed))));
        assertArrayEquals(hex("07 00 00 06  00 00 00 02 00 00 00  # OK"), received());
    }

    @Test
    void fullAuthenticationWithTheWrongPasswordIsRefused() throws Exception {
        byte[] seed = connectAndReadSeed(fullAuthServer(MYSQL_8));
        client.writeInbound(mariadbClientResponse("app", sha2Scramble("secret", seed), SHA2));
        received();
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        oaep.init(Cipher.ENCRYPT_MODE, KEYS.getPublic());
        client.writeInbound(frame(3, oaep.doFinal(xor(concat(utf8("Secret"), hex("00")), seed))));
        assertArrayEquals(bytes(frame(4, """
                ff 15 04 23 '28000'         # ERR 1045 (28000)
                'Access denied for user ' 27 'app' 27 '@' 27 'localhost' 27 ' (using password: YES)'
                """)), received());
        assertFalse(client.isOpen());
    }

    private static byte[] frameHeader(int length, int sequence) {
        return new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) sequence};
    }

    private static byte[] utf8(String text) {
        return text.getBytes(UTF_8);
    }

    /** The answer to the switch is checked against the switch's seed, and there is no second switch. */
    @Test
    void wrongAnswerToTheSwitchIsRefused() {
        byte[] seed = connectAndReadSeed(server(MYSQL_8, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(mariadbClientResponse("hashed", sha2Scramble("secret", seed), SHA2));
        received();

        // Right password, but scrambled with the greeting's seed instead of the switch's.
        client.writeInbound(frame(3, nativeScramble("secret", seed)));
        assertArrayEquals(bytes(frame(4, """
                ff 15 04 23 '28000'         # ERR 1045 (28000)
                'Access denied for user ' 27 'hashed' 27 '@' 27 'localhost' 27 ' (using password: YES)'
                """)), received());
        assertFalse(client.isOpen());
    }

    /** Netty's codec tests' habit: the same response, one byte per read, gets the same answer, once. */
    @Test
    void handshakeResponseSplitByteByByte() {
        byte[] seed = connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        byte[] wire = bytes(mariadbClientResponse("app", nativeScramble("secret", seed), NATIVE));
        for (int i = 0; i < wire.length - 1; i++) {
            client.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
            assertNull(received(), "answered after " + (i + 1) + " of " + wire.length + " bytes");
        }
        client.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1));
        assertArrayEquals(hex("07 00 00 02  00 00 00 02 00 00 00  # OK"), received());
    }

    // ---- refusals ---------------------------------------------------------------------------------------------

    @Test
    void handshakeWithoutProtocol41IsMalformed() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        byte[] response = bytes(mariadbClientResponse("app", new byte[20], NATIVE));
        response[5] &= ~0x02; // capabilities bit 9, CLIENT_PROTOCOL_41
        client.writeInbound(Unpooled.wrappedBuffer(response));

        assertArrayEquals(bytes(frame(2, """
                ff                          # ERR
                13 04                       # 1043, ER_HANDSHAKE_ERROR
                23 '08S01'                  # SQL state
                'berth: bad handshake: client does not speak protocol 4.1 (CLIENT_PROTOCOL_41 unset)'
                """)), received());
        assertFalse(client.isOpen());
    }

    @Test
    void handshakeCutShortIsMalformed() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        byte[] whole = bytes(mariadbClientResponse("app", new byte[20], NATIVE));
        byte[] cut = Arrays.copyOf(whole, 4 + 32 + 2); // ends inside the user name
        cut[0] = 32 + 2;
        cut[1] = 0;
        client.writeInbound(Unpooled.wrappedBuffer(cut));

        assertArrayEquals(bytes(frame(2, """
                ff 13 04 23 '08S01'         # ERR 1043 (08S01)
                'berth: bad handshake: string is not NUL-terminated'
                """)), received());
        assertFalse(client.isOpen());
    }

    /** The handshake's frame decoder is bounded: a header announcing more than 8 KiB ends the connection. */
    @Test
    void oversizedHandshakePacketIsRefused() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(Unpooled.wrappedBuffer(hex("01 20 00 01  # frame header: 8193 bytes, sequence id 1")));

        assertArrayEquals(bytes(frame(0, """
                ff                          # ERR
                81 04                       # 1153, ER_NET_PACKET_TOO_LARGE
                23 '08S01'
                'berth: got a packet bigger than 8192 bytes'
                """)), received());
        assertFalse(client.isOpen());
    }

    @Test
    void requireTlsRefusesAPlainHandshake() {
        byte[] seed = connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, TestServers.REQUIRE_TLS));
        client.writeInbound(mariadbClientResponse("app", nativeScramble("secret", seed), NATIVE));

        assertArrayEquals(bytes(frame(2, """
                ff                          # ERR
                57 0c                       # 3159, ER_SECURE_TRANSPORT_REQUIRED
                23 'HY000'
                'berth: connections without TLS are refused (--require-tls); enable TLS in the client'
                """)), received());
        assertFalse(client.isOpen());
    }

    /** The SSLRequest of the mariadb client (captured with --ssl): Berth answers nothing and starts TLS. */
    @Test
    void sslRequestStartsTls() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, TestServers.TLS));
        client.writeInbound(frame(1, SSL_REQUEST));

        assertNull(received());
        assertInstanceOf(SslHandler.class, client.pipeline().first());
        assertInstanceOf(SslHandler.class, client.pipeline().get("tls"));
        assertTrue(client.isOpen());
    }

    @Test
    void sslRequestWithoutTlsOfferedIsRefused() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        client.writeInbound(frame(1, SSL_REQUEST));

        assertArrayEquals(bytes(frame(2, """
                ff 13 04 23 '08S01'         # ERR 1043 (08S01)
                'berth: TLS was not offered; connect without TLS or start Berth with --tls'
                """)), received());
        assertFalse(client.isOpen());
    }

    @Test
    void noLoginWithinTheHandshakeTimeout() {
        connectAndReadSeed(server(MARIADB, BerthConfig.AUTO_AUTH, NO_TLS));
        client.advanceTimeBy(9, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertNull(received());

        client.advanceTimeBy(1, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertArrayEquals(bytes(frame(2, """
                ff                          # ERR
                87 04                       # 1159, ER_NET_READ_INTERRUPTED
                23 '08S01'
                'berth: no complete login within 10s (--handshake-timeout)'
                """)), received());
        assertFalse(client.isOpen());
    }

    // ---- the client's side ------------------------------------------------------------------------------------

    /** The SSLRequest of the mariadb 10.11 command-line client, captured with --ssl. */
    private static final String SSL_REQUEST = """
            85 aa bf 00                 # capabilities 0x00bfaa85: as below, with CLIENT_SSL
            00 00 10 00                 # max packet 1 MiB
            21                          # character set 33, utf8mb3_general_ci
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler
            """;

    /**
     * The handshake response of the mariadb 10.11 command-line client (libmariadb 3.3.20), captured once against a
     * fake greeting; only the user, the auth response and the plugin are put in here. (With user "app", the scramble
     * of "secret" to the seed "abcdefghijklmnopqrst" and mysql_native_password, this is the capture byte for byte.)
     */
    private static ByteBuf mariadbClientResponse(String user, byte[] authResponse, String plugin) {
        return frame(1, concat(hex("""
                85 a2 bf 00                 # capabilities 0x00bfa285: LONG_PASSWORD LONG_FLAG LOCAL_FILES PROTOCOL_41
                                            #   TRANSACTIONS SECURE_CONNECTION MULTI_STATEMENTS MULTI_RESULTS
                                            #   PS_MULTI_RESULTS PLUGIN_AUTH CONNECT_ATTRS
                                            #   PLUGIN_AUTH_LENENC_CLIENT_DATA SESSION_TRACK; no DEPRECATE_EOF
                00 00 10 00                 # max packet 1 MiB
                21                          # character set 33, utf8mb3_general_ci
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler
                """), user.getBytes(UTF_8), hex("00"),
                new byte[] {(byte) authResponse.length}, authResponse,
                plugin.getBytes(UTF_8), hex("00"), hex("""
                7f                          # attributes: 127 bytes
                03 '_os' 05 'Linux'
                0c '_client_name' 0a 'libmariadb'
                04 '_pid' 05 '32557'
                0f '_client_version' 06 '3.3.20'
                09 '_platform' 06 'x86_64'
                0c 'program_name' 05 'mysql'
                0c '_server_host' 09 '127.0.0.1'
                """)));
    }

    /**
     * The handshake response of Connector/J 9.1.0, captured against Berth's greeting (caching_sha2_password, MariaDB's
     * version); only the user, the auth response, the schema and the plugin are put in here.
     */
    private static ByteBuf connectorJResponse(String user, byte[] authResponse, String plugin) {
        return frame(1, concat(hex("""
                0f a2 3e 01                 # capabilities 0x013ea20f: LONG_PASSWORD FOUND_ROWS LONG_FLAG CONNECT_WITH_DB
                                            #   PROTOCOL_41 TRANSACTIONS SECURE_CONNECTION MULTI_RESULTS PS_MULTI_RESULTS
                                            #   PLUGIN_AUTH CONNECT_ATTRS PLUGIN_AUTH_LENENC_CLIENT_DATA DEPRECATE_EOF
                ff ff ff 00                 # max packet 16 MiB
                2d                          # character set 45, utf8mb4_general_ci
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler
                """), user.getBytes(UTF_8), hex("00"),
                new byte[] {(byte) authResponse.length}, authResponse, hex("00  # schema: none (the capture's 'test' would be checked on a backend)"),
                plugin.getBytes(UTF_8), hex("00"), hex("""
                79                          # attributes: 121 bytes
                10 '_runtime_version' 07 '17.0.15'
                0f '_client_version' 05 '9.1.0'
                0f '_client_license' 03 'GPL'
                0f '_runtime_vendor' 06 'Debian'
                0c '_client_name' 11 'MySQL Connector/J'
                """)));
    }

    /** mysql_native_password's answer: SHA1(pw) XOR SHA1(seed + SHA1(SHA1(pw))). */
    static byte[] nativeScramble(String password, byte[] seed) {
        byte[] stage1 = digest("SHA-1", password.getBytes(UTF_8));
        return xor(stage1, digest("SHA-1", seed, digest("SHA-1", stage1)));
    }

    /** caching_sha2_password's answer: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + seed). */
    static byte[] sha2Scramble(String password, byte[] seed) {
        byte[] stage1 = digest("SHA-256", password.getBytes(UTF_8));
        return xor(stage1, digest("SHA-256", digest("SHA-256", stage1), seed));
    }

    private static byte[] digest(String algorithm, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            for (byte[] part : parts) {
                md.update(part);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code a XOR b}, b repeated. */
    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i % b.length]);
        }
        return out;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("no " + b + " after " + from);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
