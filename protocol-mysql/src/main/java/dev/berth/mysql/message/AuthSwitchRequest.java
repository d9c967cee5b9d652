package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;

/**
 * The server asks the client to authenticate again with another plugin and a new seed.
 *
 * @param pluginData the new seed as the plugin defines it (for the password plugins, 20 bytes without NUL)
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html">Protocol::AuthSwitchRequest</a>
 */
public record AuthSwitchRequest(String pluginName, byte[] pluginData) {
    public static final int HEADER = 0xfe;

    public static AuthSwitchRequest decode(ByteBuf payload) {
        MysqlBuffers.readUnsigned(payload, 1); // 0xFE
        String plugin = MysqlBuffers.readNulString(payload);
        byte[] data = MysqlBuffers.readEofBytes(payload);
        // The password plugins send their 20-byte seed followed by a NUL.
        if (data.length > 0 && data[data.length - 1] == 0) {
            data = java.util.Arrays.copyOf(data, data.length - 1);
        }
        return new AuthSwitchRequest(plugin, data);
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        MysqlBuffers.writeNulString(out, pluginName);
        out.writeBytes(pluginData);
        out.writeByte(0);
    }
}
