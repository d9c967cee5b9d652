package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Reads the session-state-info block of an OK packet (CLIENT_SESSION_TRACK).
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html">OK_Packet</a>
 */
public final class SessionStateInfo {
    public static final int SESSION_TRACK_SYSTEM_VARIABLES = 0;
    public static final int SESSION_TRACK_SCHEMA = 1;
    public static final int SESSION_TRACK_STATE_CHANGE = 2;

    private SessionStateInfo() {
    }

    /** The schema the block reports as now current, or null when it reports none. */
    public static String schema(byte[] sessionState) {
        ByteBuf buf = Unpooled.wrappedBuffer(sessionState);
        String schema = null;
        while (buf.isReadable()) {
            int type = buf.readUnsignedByte();
            ByteBuf data = Unpooled.wrappedBuffer(MysqlBuffers.readLenencBytes(buf));
            if (type == SESSION_TRACK_SCHEMA) {
                schema = new String(MysqlBuffers.readLenencBytes(data), StandardCharsets.UTF_8);
            }
        }
        return schema;
    }
}
