package dev.berth.mysql.message;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connection attributes a client sends with CLIENT_CONNECT_ATTRS, at the end of its handshake response and of
 * COM_CHANGE_USER: the block's length (length-encoded), then key and value pairs of length-encoded strings.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html">Protocol::HandshakeResponse41</a>
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html">COM_CHANGE_USER</a>
 */
public final class ConnectionAttributes {
    private ConnectionAttributes() {
    }

    /** Reads the block; the map keeps the client's order, so that writing it back gives the same bytes. */
    public static Map<String, String> read(ByteBuf payload) {
        long length = MysqlBuffers.readLenencInt(payload);
        if (length < 0 || length > payload.readableBytes()) {
            throw new MalformedPacketException("connection attributes of " + Long.toUnsignedString(length)
                    + " bytes overrun the packet");
        }
        ByteBuf block = payload.readSlice((int) length);
        Map<String, String> attributes = new LinkedHashMap<>();
        while (block.isReadable()) {
            attributes.put(MysqlBuffers.readLenencString(block), MysqlBuffers.readLenencString(block));
        }
        return Collections.unmodifiableMap(attributes);
    }

    public static void write(ByteBuf out, Map<String, String> attributes) {
        ByteBuf block = out.alloc().buffer();
        try {
            attributes.forEach((key, value) -> {
                MysqlBuffers.writeLenencString(block, key);
                MysqlBuffers.writeLenencString(block, value);
            });
            MysqlBuffers.writeLenencInt(out, block.readableBytes());
            out.writeBytes(block);
        } finally {
            block.release();
        }
    }
}
