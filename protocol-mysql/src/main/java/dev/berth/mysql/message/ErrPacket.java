package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * An error. Berth only speaks protocol 4.1, so the SQLSTATE marker is always present.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html">ERR_Packet</a>
 */
public record ErrPacket(int code, String sqlState, String message) {
    public static final int HEADER = 0xff;

    public static ErrPacket of(ErrorCode error, String message) {
        return new ErrPacket(error.code(), error.sqlState(), message);
    }

    public static ErrPacket decode(ByteBuf payload) {
        MysqlBuffers.readUnsigned(payload, 1); // header
        int code = MysqlBuffers.readUnsigned(payload, 2);
        String state = "HY000";
        if (payload.isReadable() && payload.getByte(payload.readerIndex()) == '#') {
            payload.skipBytes(1);
            state = new String(MysqlBuffers.readFixedBytes(payload, 5), StandardCharsets.US_ASCII);
        }
        return new ErrPacket(code, state, MysqlBuffers.readEofString(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        out.writeShortLE(code);
        out.writeByte('#');
        out.writeBytes(sqlState.getBytes(StandardCharsets.US_ASCII), 0, 5);
        out.writeBytes(message.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ERROR " + code + " (" + sqlState + "): " + message;
    }
}
