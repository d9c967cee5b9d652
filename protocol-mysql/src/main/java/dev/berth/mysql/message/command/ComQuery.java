package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Runs SQL in the text protocol. Under CLIENT_QUERY_ATTRIBUTES the SQL is preceded by query attributes (at least a
 * parameter count and a parameter set count); they are read only as far as needed to find the SQL, and kept as bytes.
 *
 * @param queryAttributes the bytes between the command byte and the SQL; empty without CLIENT_QUERY_ATTRIBUTES
 * @param query           the SQL as the client sent it, in its connection's character set
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query.html">COM_QUERY</a>
 */
public record ComQuery(byte[] queryAttributes, byte[] query) {
    private static final byte[] NONE = new byte[0];

    public static ComQuery decode(ByteBuf payload, long clientCapabilities) {
        Commands.readCommand(payload, Command.COM_QUERY);
        byte[] attributes = NONE;
        if (Capabilities.has(clientCapabilities, Capabilities.CLIENT_QUERY_ATTRIBUTES)) {
            int start = payload.readerIndex();
            QueryAttributes.skip(payload);
            attributes = new byte[payload.readerIndex() - start];
            payload.getBytes(start, attributes);
        }
        return new ComQuery(attributes, MysqlBuffers.readEofBytes(payload));
    }

    /** Writes the query as decoded: the attributes are for a peer that negotiated CLIENT_QUERY_ATTRIBUTES too. */
    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_QUERY).writeBytes(queryAttributes).writeBytes(query);
    }

    public String sql() {
        return sql(StandardCharsets.UTF_8);
    }

    public String sql(Charset charset) {
        return new String(query, charset);
    }
}
