package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

public class HandshakeV10Test {
    /**
     * The greeting of MariaDB 10.11.19 (Debian 12) on 127.0.0.1:3306, read once with a raw socket. The frame
     * header was {@code 64 00 00 00}: 100 bytes, sequence id 0.
     */
    public static final String MARIADB_GREETING = """
            0a                                   # protocol version 10
            '5.5.5-10.11.19-MariaDB-0+deb12u1' 00  # server version; MariaDB prefixes 5.5.5- for old clients
            72 00 00 00                          # connection id 114
            'F1_l~Y!5'                           # auth-plugin-data part 1 (8 bytes)
            00                                   # filler
            fe f7                                # capabilities, low 16 bits: 0xf7fe (no CLIENT_SSL, no CLIENT_MYSQL)
            2d                                   # character set 45, utf8mb4_general_ci
            02 00                                # status: SERVER_STATUS_AUTOCOMMIT
            ff 81                                # capabilities, high 16 bits: 0x81ff
            15                                   # auth-plugin-data length 21 (20-byte scramble + NUL)
            00 00 00 00 00 00                    # reserved
            1d 00 00 00                          # MariaDB extended capabilities (in MySQL: reserved zeros)
            ')j]rFFmt{.qp' 00                    # auth-plugin-data part 2 (12 bytes) and its NUL
            'mysql_native_password' 00           # auth plugin name
            """;

    @Test
    void decodesARealMariaDbGreeting() {
        ByteBuf payload = payload(MARIADB_GREETING);
        assertEquals(100, payload.readableBytes());
        HandshakeV10 greeting = HandshakeV10.decode(payload);

        assertEquals("5.5.5-10.11.19-MariaDB-0+deb12u1", greeting.serverVersion());
        assertEquals(114, greeting.connectionId());
        assertArrayEquals("F1_l~Y!5)j]rFFmt{.qp".getBytes(US_ASCII), greeting.seed());
        assertEquals(0x81fff7feL, greeting.capabilities());
        assertTrue(Capabilities.has(greeting.capabilities(), Capabilities.CLIENT_PROTOCOL_41));
        assertTrue(Capabilities.has(greeting.capabilities(), Capabilities.CLIENT_DEPRECATE_EOF));
        assertTrue(Capabilities.has(greeting.capabilities(), Capabilities.CLIENT_SESSION_TRACK));
        assertFalse(Capabilities.has(greeting.capabilities(), Capabilities.CLIENT_SSL));
        assertEquals(45, greeting.characterSet());
        assertEquals(ServerStatus.AUTOCOMMIT, greeting.statusFlags());
        assertEquals("mysql_native_password", greeting.authPluginName());
        assertFalse(payload.isReadable());
    }

    /** The greeting Berth writes: reserved bytes all zero, a 20-byte seed, its NUL, and the plugin name. */
    @Test
    void encodesGoldenBytes() {
        HandshakeV10 greeting = new HandshakeV10("8.0.40-berth", 7, "abcdefghijklmnopqrst".getBytes(US_ASCII),
                0x01ffa20eL | Capabilities.CLIENT_SECURE_CONNECTION, 255, ServerStatus.AUTOCOMMIT,
                "caching_sha2_password");
        ByteBuf out = Unpooled.buffer();
        greeting.encode(out);
        assertArrayEquals(hex("""
                0a                        # protocol version 10
                '8.0.40-berth' 00         # server version
                07 00 00 00               # connection id 7
                'abcdefgh'                # auth-plugin-data part 1
                00                        # filler
                0e a2                     # capabilities, low 16 bits (CLIENT_SECURE_CONNECTION 0x8000 included)
                ff                        # character set 255, utf8mb4_0900_ai_ci
                02 00                     # status: SERVER_STATUS_AUTOCOMMIT
                ff 01                     # capabilities, high 16 bits
                15                        # auth-plugin-data length 21
                00 00 00 00 00 00 00 00 00 00  # reserved
                'ijklmnopqrst' 00         # auth-plugin-data part 2 and its NUL
                'caching_sha2_password' 00  # auth plugin name
                """), bytes(out));
        assertEquals(greeting, HandshakeV10.decode(out));
    }

    @Test
    void roundTripsTheRealGreeting() {
        HandshakeV10 greeting = HandshakeV10.decode(payload(MARIADB_GREETING));
        ByteBuf out = Unpooled.buffer();
        greeting.encode(out);
        assertEquals(greeting, HandshakeV10.decode(out));
        assertFalse(out.isReadable());
    }

    @Test
    void rejectsAnotherProtocolVersion() {
        byte[] v9 = hex(MARIADB_GREETING);
        v9[0] = 9;
        assertThrows(MalformedPacketException.class, () -> HandshakeV10.decode(Unpooled.wrappedBuffer(v9)));
    }

    /**
     * Cut anywhere in the part every greeting has (up to the low capability bytes), or in the fixed 4.1 part that
     * follows, the greeting is malformed. (Ending right after the low capabilities is a complete pre-4.1 greeting.)
     */
    @Test
    void truncatedGreetingIsMalformed() {
        byte[] whole = hex(MARIADB_GREETING);
        int preProtocol41 = 1 + 33 + 4 + 8 + 1 + 2;
        int fixed41 = preProtocol41 + 1 + 2 + 2 + 1 + 10;
        for (int length = 0; length < fixed41; length++) {
            if (length == preProtocol41) {
                continue;
            }
            ByteBuf prefix = Unpooled.wrappedBuffer(Arrays.copyOf(whole, length));
            try {
                HandshakeV10.decode(prefix);
                throw new AssertionError("prefix of " + length + " bytes decoded");
            } catch (MalformedPacketException expected) {
                // the one exception of the codec
            } catch (RuntimeException e) {
                throw new AssertionError("prefix of " + length + " bytes: " + e, e);
            }
        }
    }
}
