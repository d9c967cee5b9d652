package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * Sends (part of) a parameter's value ahead of COM_STMT_EXECUTE; repeated, it appends. The server sends no response.
 * A packet of 16 MiB or more goes on in further frames; the statement id is in the first.
 *
 * @param paramId the parameter, counted from 0
 * @param data    the bytes to append to its value
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_send_long_data.html">COM_STMT_SEND_LONG_DATA</a>
 */
public record ComStmtSendLongData(long statementId, int paramId, byte[] data) {
    public static ComStmtSendLongData decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_STMT_SEND_LONG_DATA);
        long statementId = Commands.readInt4(payload);
        int paramId = MysqlBuffers.readUnsigned(payload, 2);
        return new ComStmtSendLongData(statementId, paramId, MysqlBuffers.readEofBytes(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_STMT_SEND_LONG_DATA).writeIntLE((int) statementId).writeShortLE(paramId)
                .writeBytes(data);
    }
}
