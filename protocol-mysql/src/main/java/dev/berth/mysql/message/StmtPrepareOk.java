package dev.berth.mysql.message;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;

/**
 * The first packet of a successful COM_STMT_PREPARE response; {@code numParams} parameter definitions and
 * {@code numColumns} column definitions follow it (each group ended by an EOF without CLIENT_DEPRECATE_EOF).
 * Every server since 4.1 sends the warning count, so a packet without it is malformed. The metadata_follows byte
 * MySQL adds under CLIENT_OPTIONAL_RESULTSET_METADATA, which Berth never negotiates, is ignored.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html#sect_protocol_com_stmt_prepare_response_ok">COM_STMT_PREPARE_OK</a>
 */
public record StmtPrepareOk(long statementId, int numColumns, int numParams, int warningCount) {
    public static final int STATUS = 0x00;

    public static StmtPrepareOk decode(ByteBuf payload) {
        int status = MysqlBuffers.readUnsigned(payload, 1);
        if (status != STATUS) {
            throw new MalformedPacketException(String.format("status 0x%02x is not COM_STMT_PREPARE_OK", status));
        }
        long statementId = Integer.toUnsignedLong(MysqlBuffers.readUnsigned(payload, 4));
        int numColumns = MysqlBuffers.readUnsigned(payload, 2);
        int numParams = MysqlBuffers.readUnsigned(payload, 2);
        MysqlBuffers.readUnsigned(payload, 1); // reserved_1, a filler 0x00
        return new StmtPrepareOk(statementId, numColumns, numParams, MysqlBuffers.readUnsigned(payload, 2));
    }

    public void encode(ByteBuf out) {
        out.writeByte(STATUS).writeIntLE((int) statementId).writeShortLE(numColumns).writeShortLE(numParams)
                .writeByte(0).writeShortLE(warningCount);
    }
}
