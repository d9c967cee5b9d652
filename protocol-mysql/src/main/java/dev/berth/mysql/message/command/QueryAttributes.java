package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;

/**
 * Steps over the query attributes that begin a COM_QUERY under CLIENT_QUERY_ATTRIBUTES (MySQL 8.0.23 and later), as
 * the server does (parse_query_bind_params and get_ps_param_len in sql/protocol_classic.cc): parameter count, parameter
 * set count (exactly 1), then for a nonzero count a NULL bitmap, a new-params-bind flag (nonzero), type and name of
 * each parameter, and the binary values of those not NULL.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query.html">COM_QUERY</a>
 */
final class QueryAttributes {
    private static final int MYSQL_TYPE_TINY = 1;
    private static final int MYSQL_TYPE_SHORT = 2;
    private static final int MYSQL_TYPE_LONG = 3;
    private static final int MYSQL_TYPE_FLOAT = 4;
    private static final int MYSQL_TYPE_DOUBLE = 5;
    private static final int MYSQL_TYPE_LONGLONG = 8;
    private static final int MYSQL_TYPE_BOOL = 244;
    /** The high bit of a parameter type is its unsigned flag. */
    private static final int UNSIGNED_FLAG = 0x8000;
    /** The server refuses more. */
    private static final int MAX_PARAMETERS = 65535;

    private QueryAttributes() {
    }

    static void skip(ByteBuf payload) {
        long count = MysqlBuffers.readLenencInt(payload);
        long sets = MysqlBuffers.readLenencInt(payload);
        if (sets != 1) {
            throw new MalformedPacketException("query attributes in " + Long.toUnsignedString(sets)
                    + " parameter sets (servers take exactly 1)");
        }
        if (count < 0 || count > MAX_PARAMETERS) {
            throw new MalformedPacketException(Long.toUnsignedString(count) + " query attributes (at most "
                    + MAX_PARAMETERS + ")");
        }
        if (count == 0) {
            return;
        }
        int n = (int) count;
        byte[] nullBitmap = MysqlBuffers.readFixedBytes(payload, (n + 7) / 8);
        if (MysqlBuffers.readUnsigned(payload, 1) == 0) {
            throw new MalformedPacketException("query attributes without their types (new_params_bind_flag 0)");
        }
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = MysqlBuffers.readUnsigned(payload, 2) & ~UNSIGNED_FLAG;
            MysqlBuffers.readLenencBytes(payload); // name
        }
        for (int i = 0; i < n; i++) {
            if ((nullBitmap[i / 8] & (1 << (i % 8))) == 0) {
                skipValue(payload, types[i]);
            }
        }
    }

    /**
     * Only these types have fixed sizes in the server's reading; all others, YEAR and INT24 too (which the binary
     * protocol's own page sizes at 2 and 4), are read as length-encoded strings.
     */
    private static void skipValue(ByteBuf payload, int type) {
        switch (type) {
            case MYSQL_TYPE_TINY -> MysqlBuffers.readFixedBytes(payload, 1);
            case MYSQL_TYPE_SHORT -> MysqlBuffers.readFixedBytes(payload, 2);
            case MYSQL_TYPE_LONG, MYSQL_TYPE_FLOAT -> MysqlBuffers.readFixedBytes(payload, 4);
            case MYSQL_TYPE_LONGLONG, MYSQL_TYPE_DOUBLE -> MysqlBuffers.readFixedBytes(payload, 8);
            case MYSQL_TYPE_BOOL -> throw new MalformedPacketException("query attribute of type MYSQL_TYPE_BOOL");
            default -> MysqlBuffers.readLenencBytes(payload);
        }
    }
}
