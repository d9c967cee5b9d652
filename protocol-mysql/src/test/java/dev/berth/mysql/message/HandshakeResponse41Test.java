package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeResponse41Test {
    /**
     * What MySQL Connector/J 9.1.0 (Java 17) sent to {@link HandshakeV10Test#MARIADB_GREETING}, captured once with a
     * socket that played the greeting back; URL {@code jdbc:mysql://.../shop?sslMode=DISABLED&connectionAttributes=
     * program_name:berth-test}, user app, password secret. The frame header was {@code e6 00 00 01}: 230 bytes,
     * sequence id 1.
     */
    static final String CONNECTOR_J_RESPONSE = """
            0e a2 3e 01          # capabilities 0x013ea20e: FOUND_ROWS, LONG_FLAG, CONNECT_WITH_DB, PROTOCOL_41,
                                 #   TRANSACTIONS, SECURE_CONNECTION, MULTI_RESULTS, PS_MULTI_RESULTS, PLUGIN_AUTH,
                                 #   CONNECT_ATTRS, PLUGIN_AUTH_LENENC_CLIENT_DATA, DEPRECATE_EOF
            ff ff ff 00          # max packet size 16777215
            2d                   # character set 45, utf8mb4_general_ci
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler (23)
            'app' 00             # username
            14                   # auth response length 20 (lenenc, PLUGIN_AUTH_LENENC_CLIENT_DATA)
            42 b9 eb c3 cf 86 89 9f 6a 52 0b 33 9f 15 60 ff c4 e5 8b 52  # native scramble of secret
            'shop' 00            # database (CONNECT_WITH_DB)
            'mysql_native_password' 00  # auth plugin name (PLUGIN_AUTH)
            91                   # connection attributes: 145 bytes follow (CONNECT_ATTRS)
            10 '_runtime_version'  07 '17.0.15'
            0f '_client_version'   05 '9.1.0'
            0c 'program_name'      0a 'berth-test'
            0f '_client_license'   03 'GPL'
            0f '_runtime_vendor'   06 'Debian'
            0c '_client_name'      11 'MySQL Connector/J'
            """;

    /** Connector/J's SSLRequest: the fixed part of its response, with CLIENT_SSL (0x0800) added. */
    static final String SSL_REQUEST = """
            0e aa 3e 01          # capabilities 0x013eaa0e, CLIENT_SSL set
            ff ff ff 00          # max packet size
            2d                   # character set 45
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler (23)
            """;

    @Test
    void decodesARealConnectorJResponse() {
        ByteBuf payload = payload(CONNECTOR_J_RESPONSE);
        assertEquals(230, payload.readableBytes());
        assertFalse(HandshakeResponse41.isSslRequest(payload));
        HandshakeResponse41 response = HandshakeResponse41.decode(payload);

        assertEquals(0x013ea20eL, response.capabilities());
        assertEquals(0xffffff, response.maxPacketSize());
        assertEquals(45, response.characterSet());
        assertEquals("app", response.username());
        assertArrayEquals(hex("42 b9 eb c3 cf 86 89 9f 6a 52 0b 33 9f 15 60 ff c4 e5 8b 52"), response.authResponse());
        // The same 20 bytes Berth computes for the greeting's seed.
        assertArrayEquals(NativePassword.scramble("secret".getBytes(UTF_8),
                "F1_l~Y!5)j]rFFmt{.qp".getBytes(US_ASCII)), response.authResponse());
        assertEquals("shop", response.database());
        assertEquals("mysql_native_password", response.authPluginName());
        assertEquals(Map.of("_runtime_version", "17.0.15", "_client_version", "9.1.0", "program_name", "berth-test",
                "_client_license", "GPL", "_runtime_vendor", "Debian", "_client_name", "MySQL Connector/J"),
                response.attributes());
        assertFalse(payload.isReadable());
    }

    @Test
    void detectsAnSslRequest() {
        assertTrue(HandshakeResponse41.isSslRequest(payload(SSL_REQUEST)));
        // 32 bytes without CLIENT_SSL is not one (and would be a truncated response).
        assertFalse(HandshakeResponse41.isSslRequest(payload(SSL_REQUEST.replaceFirst("0e aa", "0e a2"))));
        // CLIENT_SSL in a full response does not make it an SSLRequest.
        assertFalse(HandshakeResponse41.isSslRequest(
                payload(CONNECTOR_J_RESPONSE.replaceFirst("0e a2 3e 01", "0e aa 3e 01"))));
        // Detection does not move the reader index.
        ByteBuf ssl = payload(SSL_REQUEST);
        HandshakeResponse41.isSslRequest(ssl);
        assertEquals(32, ssl.readableBytes());
    }

    @Test
    void writesTheSslRequestsFixedPart() {
        ByteBuf out = Unpooled.buffer();
        HandshakeResponse41.writeFixedPart(out, 0x013eaa0eL, 0xffffff, 45);
        assertArrayEquals(hex(SSL_REQUEST), dev.berth.mysql.Golden.bytes(out));
    }

    @Test
    void rejectsAResponseWithoutProtocol41() {
        // 0x013ea00e: CLIENT_PROTOCOL_41 (0x0200) cleared, everything else as Connector/J sent it.
        ByteBuf payload = payload(CONNECTOR_J_RESPONSE.replaceFirst("0e a2 3e 01", "0e a0 3e 01"));
        MalformedPacketException e =
                assertThrows(MalformedPacketException.class, () -> HandshakeResponse41.decode(payload));
        assertTrue(e.getMessage().contains("CLIENT_PROTOCOL_41"));
    }

    /** Cut anywhere, the response is malformed: no field is silently shortened or dropped. */
    @Test
    void truncatedAtEveryLengthIsMalformedAndNothingElse() {
        byte[] whole = hex(CONNECTOR_J_RESPONSE);
        for (int length = 0; length < whole.length; length++) {
            ByteBuf prefix = Unpooled.wrappedBuffer(Arrays.copyOf(whole, length));
            try {
                HandshakeResponse41 decoded = HandshakeResponse41.decode(prefix);
                throw new AssertionError("prefix of " + length + " bytes decoded as " + decoded);
            } catch (MalformedPacketException expected) {
                // the one exception of the codec
            } catch (RuntimeException e) {
                throw new AssertionError("prefix of " + length + " bytes: " + e, e);
            }
        }
    }

    /** MySQL 8.0.18+ clients that chose zstd end the response with the level they want. */
    @Test
    void readsAndWritesTheZstdLevelAfterTheAttributes() {
        // 0x053ea20e: Connector/J's flags plus CLIENT_ZSTD_COMPRESSION_ALGORITHM (0x04000000).
        String zstd = CONNECTOR_J_RESPONSE.replaceFirst("0e a2 3e 01", "0e a2 3e 05") + "07  # zstd level 7\n";
        HandshakeResponse41 response = HandshakeResponse41.decode(payload(zstd));
        assertEquals(7, response.zstdCompressionLevel());
        assertEquals("shop", response.database());
        ByteBuf out = Unpooled.buffer();
        response.encode(out);
        assertEquals(231, out.readableBytes());
        assertEquals(7, out.getByte(230));
        // Announced but missing: malformed, like any other announced field.
        String cut = CONNECTOR_J_RESPONSE.replaceFirst("0e a2 3e 01", "0e a2 3e 05");
        assertThrows(MalformedPacketException.class, () -> HandshakeResponse41.decode(payload(cut)));
        assertEquals(0, HandshakeResponse41.decode(payload(CONNECTOR_J_RESPONSE)).zstdCompressionLevel());
    }

    @Test
    void encodeDecodeRoundTrip() {
        long caps = 0x013ea20eL;
        HandshakeResponse41 response = new HandshakeResponse41(caps, 1 << 24, 255, "app",
                hex("01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14"), "shop", "mysql_native_password",
                Map.of("_client_name", "berth", "_pid", "42"));
        ByteBuf out = Unpooled.buffer();
        response.encode(out);
        HandshakeResponse41 decoded = HandshakeResponse41.decode(out);
        assertFalse(out.isReadable());
        assertEquals(caps, decoded.capabilities());
        assertEquals(1 << 24, decoded.maxPacketSize());
        assertEquals(255, decoded.characterSet());
        assertEquals("app", decoded.username());
        assertArrayEquals(response.authResponse(), decoded.authResponse());
        assertEquals("shop", decoded.database());
        assertEquals("mysql_native_password", decoded.authPluginName());
        assertEquals(response.attributes(), decoded.attributes());
    }

    @Test
    void realResponseRoundTrips() {
        HandshakeResponse41 real = HandshakeResponse41.decode(payload(CONNECTOR_J_RESPONSE));
        ByteBuf out = Unpooled.buffer();
        real.encode(out);
        // The same bytes: attributes keep the client's order.
        assertArrayEquals(hex(CONNECTOR_J_RESPONSE), dev.berth.mysql.Golden.bytes(out));
        HandshakeResponse41 again = HandshakeResponse41.decode(out);
        assertEquals(real.toString(), again.toString());
        assertArrayEquals(real.authResponse(), again.authResponse());
        assertEquals(real.attributes(), again.attributes());
    }

    /** Without CONNECT_WITH_DB, PLUGIN_AUTH and CONNECT_ATTRS the response ends after the auth response. */
    @Test
    void decodesAMinimalResponse() {
        HandshakeResponse41 response = HandshakeResponse41.decode(payload("""
                00 82 00 00      # capabilities 0x8200: PROTOCOL_41, SECURE_CONNECTION
                00 00 00 01      # max packet size 16 MB
                21               # character set 33, utf8_general_ci
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # filler (23)
                'root' 00        # username
                00               # auth response length 0 (empty password), 1-byte length (SECURE_CONNECTION)
                """));
        assertEquals("root", response.username());
        assertArrayEquals(new byte[0], response.authResponse());
        assertNull(response.database());
        assertNull(response.authPluginName());
        assertEquals(Map.of(), response.attributes());
        assertFalse(Capabilities.has(response.capabilities(), Capabilities.CLIENT_PLUGIN_AUTH));
    }

    @Test
    void attributesOverrunningThePacketAreMalformed() {
        ByteBuf payload = payload(CONNECTOR_J_RESPONSE.replace("91    ", "92    "));
        assertThrows(MalformedPacketException.class, () -> HandshakeResponse41.decode(payload));
        // 2^64 - 1 bytes of attributes.
        ByteBuf huge = payload(CONNECTOR_J_RESPONSE.replace("91    ", "fe ff ff ff ff ff ff ff ff"));
        assertThrows(MalformedPacketException.class, () -> HandshakeResponse41.decode(huge));
    }
}
