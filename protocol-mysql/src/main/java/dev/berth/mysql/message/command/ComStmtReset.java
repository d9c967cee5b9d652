package dev.berth.mysql.message.command;

import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * Discards the data COM_STMT_SEND_LONG_DATA gathered for a prepared statement and closes its cursor. The server
 * answers OK or ERR.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_reset.html">COM_STMT_RESET</a>
 */
public record ComStmtReset(long statementId) {
    public static ComStmtReset decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_STMT_RESET);
        return new ComStmtReset(Commands.readInt4(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_STMT_RESET).writeIntLE((int) statementId);
    }
}
