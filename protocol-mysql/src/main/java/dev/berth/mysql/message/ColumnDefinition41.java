package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;

/**
 * The description of one result set column, as Berth writes it for the result sets it answers itself: catalog
 * {@code def}, no schema, the table (if any) and the name given as both the alias and the original.
 *
 * @param table        the table the column is shown as coming from; empty for none
 * @param characterSet the collation id of the values' character set
 * @param columnLength the longest value, in bytes of that character set
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_column_definition.html">Protocol::ColumnDefinition41</a>
 */
public record ColumnDefinition41(String table, String name, int characterSet, long columnLength, int type, int flags,
                                 int decimals) {
    public static final int TYPE_VAR_STRING = 0xfd;
    /** utf8mb4_general_ci */
    public static final int UTF8MB4 = 45;
    /** utf8_general_ci (utf8mb3) */
    public static final int UTF8 = 33;
    /** The decimals of a string column: "not a fixed number", as MySQL sends it. */
    public static final int NOT_FIXED_DECIMALS = 0x1f;
    /** The length of the fixed-length fields that follow the names. */
    private static final int FIXED_FIELDS_LENGTH = 0x0c;

    /** A nullable utf8mb4 VAR_STRING column. */
    public static ColumnDefinition41 varString(String table, String name, long columnLength) {
        return new ColumnDefinition41(table, name, UTF8MB4, columnLength, TYPE_VAR_STRING, 0, NOT_FIXED_DECIMALS);
    }

    public void encode(ByteBuf out) {
        MysqlBuffers.writeLenencString(out, "def");
        MysqlBuffers.writeLenencString(out, ""); // schema
        MysqlBuffers.writeLenencString(out, table);
        MysqlBuffers.writeLenencString(out, table); // org_table
        MysqlBuffers.writeLenencString(out, name);
        MysqlBuffers.writeLenencString(out, name); // org_name
        MysqlBuffers.writeLenencInt(out, FIXED_FIELDS_LENGTH);
        out.writeShortLE(characterSet);
        out.writeIntLE((int) columnLength);
        out.writeByte(type);
        out.writeShortLE(flags);
        out.writeByte(decimals);
        out.writeZero(2); // filler
    }
}
