package dev.berth.mysql.message.command;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static dev.berth.mysql.Records.assertRecordEquals;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.message.Truncation;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComChangeUserTest {
    /** What Connector/J 9.1.0 negotiated (see HandshakeResponse41Test): SECURE_CONNECTION, PLUGIN_AUTH, CONNECT_ATTRS. */
    private static final long CONNECTOR_J = 0x013ea20eL;
    private static final long PROTOCOL_41 = Capabilities.CLIENT_PROTOCOL_41;

    /**
     * MySQL Connector/J 9.1.0's {@code changeUser("root", "secret")} on a connection to MariaDB 10.11.19 whose greeting
     * seed was {@code #Z})N0B=J;(UV.%ifEcE}, captured through a relay; URL option
     * {@code connectionAttributes=program_name:berth-test}. Frame header {@code ca 00 00 00}: 202 bytes, sequence id 0.
     * The server answered with an AuthSwitchRequest to mysql_native_password carrying the same seed, the driver sent
     * the same 20 bytes again, and the server refused them (root has no password).
     */
    static final String CHANGE_USER = """
            11                   # command: COM_CHANGE_USER
            'root' 00            # user
            14                   # auth response: 20 bytes (1-byte length: CLIENT_SECURE_CONNECTION, even with
                                 #   PLUGIN_AUTH_LENENC_CLIENT_DATA negotiated)
            42 b3 06 dd 4e 08 c7 e0 87 7a 48 08 c5 06 05 d0 95 9d 5e 0c  # native scramble of secret
            'test' 00            # database
            2d 00                # character set 45, utf8mb4_general_ci
            'mysql_native_password' 00  # auth plugin name (PLUGIN_AUTH)
            91                   # connection attributes: 145 bytes follow (CONNECT_ATTRS)
            10 '_runtime_version'  07 '17.0.15'
            0f '_client_version'   05 '9.1.0'
            0c 'program_name'      0a 'berth-test'
            0f '_client_license'   03 'GPL'
            0f '_runtime_vendor'   06 'Debian'
            0c '_client_name'      11 'MySQL Connector/J'
            """;

    /** The same driver's {@code changeUser("root", "")}, captured alike (182 bytes). */
    static final String CHANGE_USER_EMPTY_PASSWORD = """
            11                   # command: COM_CHANGE_USER
            'root' 00            # user
            00                   # auth response: 0 bytes (empty password)
            'test' 00            # database
            2d 00                # character set 45
            'mysql_native_password' 00  # auth plugin name
            91                   # connection attributes: 145 bytes follow
            10 '_runtime_version'  07 '17.0.15'
            0f '_client_version'   05 '9.1.0'
            0c 'program_name'      0a 'berth-test'
            0f '_client_license'   03 'GPL'
            0f '_runtime_vendor'   06 'Debian'
            0c '_client_name'      11 'MySQL Connector/J'
            """;

    private static final Map<String, String> ATTRIBUTES = Map.of("_runtime_version", "17.0.15",
            "_client_version", "9.1.0", "program_name", "berth-test", "_client_license", "GPL",
            "_runtime_vendor", "Debian", "_client_name", "MySQL Connector/J");

    @Test
    void decodesARealChangeUser() {
        ByteBuf payload = payload(CHANGE_USER);
        assertEquals(202, payload.readableBytes());
        ComChangeUser command = ComChangeUser.decode(payload, CONNECTOR_J);

        assertEquals("root", command.user());
        assertArrayEquals(NativePassword.scramble("secret".getBytes(UTF_8),
                "#Z})N0B=J;(UV.%ifEcE".getBytes(US_ASCII)), command.authResponse());
        assertEquals("test", command.database());
        assertEquals(45, command.characterSet());
        assertEquals("mysql_native_password", command.authPluginName());
        assertEquals(ATTRIBUTES, command.attributes());
        assertFalse(payload.isReadable());
    }

    @Test
    void reEncodesRealChangeUsersToTheSameBytes() {
        for (String golden : new String[] {CHANGE_USER, CHANGE_USER_EMPTY_PASSWORD}) {
            ByteBuf out = Unpooled.buffer();
            ComChangeUser.decode(payload(golden), CONNECTOR_J).encode(out, CONNECTOR_J);
            assertArrayEquals(hex(golden), bytes(out));
        }
    }

    @Test
    void anEmptyPasswordIsAnEmptyAuthResponse() {
        ComChangeUser command = ComChangeUser.decode(payload(CHANGE_USER_EMPTY_PASSWORD), CONNECTOR_J);
        assertArrayEquals(new byte[0], command.authResponse());
        assertEquals("test", command.database());
    }

    /** A pre-4.1 style client: the auth response ends with a NUL, and no plugin name or attributes are expected. */
    @Test
    void withoutSecureConnectionTheAuthResponseIsNulTerminated() {
        String golden = """
                11                        # command: COM_CHANGE_USER
                'app' 00                  # user
                'Xk3!pQ7z' 00             # auth response: 8 bytes and a NUL (no CLIENT_SECURE_CONNECTION)
                'shop' 00                 # database
                21 00                     # character set 33, utf8_general_ci
                """;
        ComChangeUser command = ComChangeUser.decode(payload(golden), PROTOCOL_41);
        assertEquals("app", command.user());
        assertArrayEquals("Xk3!pQ7z".getBytes(US_ASCII), command.authResponse());
        assertEquals("shop", command.database());
        assertEquals(33, command.characterSet());
        assertNull(command.authPluginName());
        assertEquals(Map.of(), command.attributes());

        ByteBuf out = Unpooled.buffer();
        command.encode(out, PROTOCOL_41);
        assertArrayEquals(hex(golden), bytes(out));
    }

    /** Everything after the schema is optional. */
    @Test
    void mayEndAfterTheDatabase() {
        String golden = """
                11              # command: COM_CHANGE_USER
                'root' 00       # user
                00              # auth response: 0 bytes
                00              # database: none
                """;
        ComChangeUser command = ComChangeUser.decode(payload(golden), CONNECTOR_J);
        assertEquals("", command.database());
        assertEquals(0, command.characterSet());
        assertNull(command.authPluginName());
        assertEquals(Map.of(), command.attributes());

        ByteBuf out = Unpooled.buffer();
        command.encode(out, CONNECTOR_J);
        assertArrayEquals(hex(golden), bytes(out));
    }

    /** Up to the schema every byte is needed; after it a packet may end between fields, never inside one. */
    @Test
    void truncatedAnywhereButBetweenOptionalFieldsIsMalformed() {
        int databaseEnd = 1 + 5 + 1 + 20 + 5;
        int characterSetEnd = databaseEnd + 2;
        int pluginEnd = characterSetEnd + "mysql_native_password".length() + 1;
        Truncation.assertMalformedExcept(hex(CHANGE_USER), buf -> ComChangeUser.decode(buf, CONNECTOR_J),
                databaseEnd, characterSetEnd, pluginEnd);
    }

    @Test
    void attributesOverrunningThePacketAreMalformed() {
        ByteBuf payload = payload(CHANGE_USER.replace("91    ", "92    "));
        assertThrows(MalformedPacketException.class, () -> ComChangeUser.decode(payload, CONNECTOR_J));
    }

    @Test
    void anotherCommandIsMalformed() {
        ByteBuf payload = payload(CHANGE_USER.replaceFirst("11 ", "03 "));
        assertThrows(MalformedPacketException.class, () -> ComChangeUser.decode(payload, CONNECTOR_J));
    }

    @Test
    void roundTrips() {
        byte[] scramble = hex("01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14");
        ComChangeUser full = new ComChangeUser("app", scramble, "shop", 255, "caching_sha2_password",
                Map.of("_client_name", "berth"));
        ComChangeUser bare = new ComChangeUser("app", new byte[0], "", 0, null, Map.of());
        for (ComChangeUser command : new ComChangeUser[] {full, bare}) {
            ByteBuf out = Unpooled.buffer();
            command.encode(out, CONNECTOR_J);
            assertRecordEquals(command, ComChangeUser.decode(out, CONNECTOR_J));
            assertFalse(out.isReadable());
        }
    }

    @Test
    void aLongAuthResponseDoesNotFitTheOneByteLength() {
        ComChangeUser command = new ComChangeUser("app", new byte[256], "", 0, null, Map.of());
        assertThrows(IllegalArgumentException.class, () -> command.encode(Unpooled.buffer(), CONNECTOR_J));
    }
}
