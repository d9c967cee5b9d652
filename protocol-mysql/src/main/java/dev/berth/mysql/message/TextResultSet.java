package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A result set of the text protocol, every value a string or NULL, as the answer to a COM_QUERY: the column count,
 * the column definitions, an EOF (unless the client has CLIENT_DEPRECATE_EOF), the rows, and an EOF (or, under
 * CLIENT_DEPRECATE_EOF, an OK with the 0xFE header).
 *
 * @param rows each as many values as there are columns; null values are SQL NULL
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html">Text Resultset</a>
 */
public record TextResultSet(List<ColumnDefinition41> columns, List<List<String>> rows) {
    /** A NULL value in a text row. */
    private static final int NULL_VALUE = 0xfb;
    /** utf8mb4's widest character. */
    private static final int MAX_BYTES_PER_CHAR = 4;

    public TextResultSet {
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("a row of " + row.size() + " values in a result set of "
                        + columns.size() + " columns");
            }
        }
    }

    /** utf8mb4 VAR_STRING columns of {@code table} (empty for none), each as long as its longest value. */
    public static TextResultSet ofStrings(String table, List<String> names, List<List<String>> rows) {
        List<ColumnDefinition41> columns = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            int widest = 1;
            for (List<String> row : rows) {
                String value = i < row.size() ? row.get(i) : null;
                if (value != null) {
                    widest = Math.max(widest, value.codePointCount(0, value.length()));
                }
            }
            columns.add(ColumnDefinition41.varString(table, names.get(i), (long) widest * MAX_BYTES_PER_CHAR));
        }
        return new TextResultSet(columns, rows);
    }

    /**
     * Writes the whole result set as frames, one packet each, at the end of {@code out}.
     *
     * @param sequenceId         the first frame's sequence id: the request's plus one
     * @param clientCapabilities what the client and Berth agreed on (CLIENT_DEPRECATE_EOF decides the EOFs)
     * @param statusFlags        the server status the final packet carries
     * @return the sequence id that follows the last frame
     */
    public int encode(ByteBuf out, int sequenceId, long clientCapabilities, int statusFlags) {
        int sequence = sequenceId;
        int frame = Packets.beginFrame(out);
        MysqlBuffers.writeLenencInt(out, columns.size());
        Packets.endFrame(out, frame, sequence++ & 0xff);
        for (ColumnDefinition41 column : columns) {
            frame = Packets.beginFrame(out);
            column.encode(out);
            Packets.endFrame(out, frame, sequence++ & 0xff);
        }
        boolean deprecateEof = Capabilities.has(clientCapabilities, Capabilities.CLIENT_DEPRECATE_EOF);
        if (!deprecateEof) {
            frame = Packets.beginFrame(out);
            new EofPacket(0, statusFlags).encode(out);
            Packets.endFrame(out, frame, sequence++ & 0xff);
        }
        for (List<String> row : rows) {
            frame = Packets.beginFrame(out);
            for (String value : row) {
                if (value == null) {
                    out.writeByte(NULL_VALUE);
                } else {
                    MysqlBuffers.writeLenencString(out, value);
                }
            }
            Packets.endFrame(out, frame, sequence++ & 0xff);
        }
        frame = Packets.beginFrame(out);
        if (deprecateEof) {
            OkPacket.endOfResultSet(statusFlags).encode(out, clientCapabilities);
        } else {
            new EofPacket(0, statusFlags).encode(out);
        }
        Packets.endFrame(out, frame, sequence++ & 0xff);
        return sequence & 0xff;
    }
}
