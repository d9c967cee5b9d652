package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;

/**
 * Extra data an auth plugin exchanges mid-authentication (caching_sha2_password's fast-auth result, its
 * public key).
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_more_data.html">Protocol::AuthMoreData</a>
 */
public record AuthMoreData(byte[] data) {
    public static final int HEADER = 0x01;

    public static AuthMoreData decode(ByteBuf payload) {
        MysqlBuffers.readUnsigned(payload, 1); // header
        return new AuthMoreData(MysqlBuffers.readEofBytes(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER).writeBytes(data);
    }

    /**
     * The data alone, as servers before MySQL 5.5.16 sent a plugin's packets. Connector/J reads them so from a server
     * whose version is older, which MariaDB's "5.5.5-" prefix makes it think; with the header, it would read 0x01 as
     * the plugin's first byte.
     */
    public void encodeWithoutHeader(ByteBuf out) {
        out.writeBytes(data);
    }
}
