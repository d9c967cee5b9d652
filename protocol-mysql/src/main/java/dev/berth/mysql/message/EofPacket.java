package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;

/**
 * The 4.1 EOF packet that clients without CLIENT_DEPRECATE_EOF expect after column definitions and rows.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html">EOF_Packet</a>
 */
public record EofPacket(int warnings, int statusFlags) {
    public static final int HEADER = 0xfe;
    /** An EOF packet is shorter than this; a 0xFE packet of this length or more is something else. */
    public static final int MAX_LENGTH = 9;

    public static EofPacket decode(ByteBuf payload) {
        MysqlBuffers.readUnsigned(payload, 1); // header
        return new EofPacket(MysqlBuffers.readUnsigned(payload, 2), MysqlBuffers.readUnsigned(payload, 2));
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER).writeShortLE(warnings).writeShortLE(statusFlags);
    }
}
