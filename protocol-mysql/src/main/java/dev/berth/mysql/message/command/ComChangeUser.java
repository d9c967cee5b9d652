package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.message.ConnectionAttributes;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * Logs in again on the same connection, which resets the session. The server answers as to a handshake response,
 * with OK, ERR or an auth switch; MariaDB 10.11 sends an AuthSwitchRequest (with the connection's seed) even when the
 * client named the plugin it would ask for.
 *
 * <p>With CLIENT_SECURE_CONNECTION the auth response has a 1-byte length, even when
 * CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA is negotiated (unlike in the handshake response); without, it ends with a NUL.
 * The schema is always there. The rest is optional and read while bytes remain: the character set, then the auth
 * plugin name (CLIENT_PLUGIN_AUTH), then the connection attributes (CLIENT_CONNECT_ATTRS).
 *
 * @param authResponse   what the client's auth plugin made of the connection's seed
 * @param database       the schema to use, empty for none
 * @param characterSet   the session's collation id, 0 when the client sent none
 * @param authPluginName the plugin that made {@code authResponse}, or null when not sent
 * @param attributes     the connection attributes, empty when not sent
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html">COM_CHANGE_USER</a>
 */
public record ComChangeUser(String user, byte[] authResponse, String database, int characterSet,
                            String authPluginName, Map<String, String> attributes) {
    /** The most a 1-byte length can count. */
    private static final int MAX_SECURE_AUTH_RESPONSE = 255;

    public static ComChangeUser decode(ByteBuf payload, long clientCapabilities) {
        Commands.readCommand(payload, Command.COM_CHANGE_USER);
        String user = MysqlBuffers.readNulString(payload);
        byte[] auth = Capabilities.has(clientCapabilities, Capabilities.CLIENT_SECURE_CONNECTION)
                ? MysqlBuffers.readFixedBytes(payload, MysqlBuffers.readUnsigned(payload, 1))
                : MysqlBuffers.readNulBytes(payload);
        String database = MysqlBuffers.readNulString(payload);
        int characterSet = 0;
        String plugin = null;
        Map<String, String> attributes = Map.of();
        if (payload.isReadable()) {
            // One byte is not a character set: malformed, where MariaDB would ignore it.
            characterSet = MysqlBuffers.readUnsigned(payload, 2);
            if (Capabilities.has(clientCapabilities, Capabilities.CLIENT_PLUGIN_AUTH) && payload.isReadable()) {
                plugin = MysqlBuffers.readNulString(payload);
            }
            if (Capabilities.has(clientCapabilities, Capabilities.CLIENT_CONNECT_ATTRS) && payload.isReadable()) {
                attributes = ConnectionAttributes.read(payload);
            }
        }
        return new ComChangeUser(user, auth, database, characterSet, plugin, attributes);
    }

    /**
     * Writes the command for a peer with {@code capabilities}. The optional fields go out in order up to the first one
     * missing: nothing after a character set of 0, no attributes after a null plugin name under CLIENT_PLUGIN_AUTH.
     */
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_CHANGE_USER);
        MysqlBuffers.writeNulString(out, user);
        if (Capabilities.has(capabilities, Capabilities.CLIENT_SECURE_CONNECTION)) {
            if (authResponse.length > MAX_SECURE_AUTH_RESPONSE) {
                throw new IllegalArgumentException("auth response of " + authResponse.length
                        + " bytes does not fit COM_CHANGE_USER's 1-byte length");
            }
            out.writeByte(authResponse.length).writeBytes(authResponse);
        } else {
            out.writeBytes(authResponse).writeByte(0);
        }
        MysqlBuffers.writeNulString(out, database);
        if (characterSet == 0) {
            return;
        }
        out.writeShortLE(characterSet);
        if (Capabilities.has(capabilities, Capabilities.CLIENT_PLUGIN_AUTH)) {
            if (authPluginName == null) {
                return;
            }
            MysqlBuffers.writeNulString(out, authPluginName);
        }
        if (Capabilities.has(capabilities, Capabilities.CLIENT_CONNECT_ATTRS)) {
            ConnectionAttributes.write(out, attributes);
        }
    }

    @Override
    public String toString() {
        return "ComChangeUser[user=" + user + ", db=" + database + ", charset=" + characterSet + ", plugin="
                + authPluginName + "]";
    }
}
