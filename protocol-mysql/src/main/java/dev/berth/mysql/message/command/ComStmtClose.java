package dev.berth.mysql.message.command;

import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * Deallocates a prepared statement. The server sends no response.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_close.html">COM_STMT_CLOSE</a>
 */
public record ComStmtClose(long statementId) {
    public static ComStmtClose decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_STMT_CLOSE);
        return new ComStmtClose(Commands.readInt4(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_STMT_CLOSE).writeIntLE((int) statementId);
    }
}
