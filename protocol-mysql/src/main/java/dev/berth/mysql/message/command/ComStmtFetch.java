package dev.berth.mysql.message.command;

import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * Reads more rows from the cursor a COM_STMT_EXECUTE opened: binary rows, then an EOF (or OK with header 0xFE) whose
 * status says whether the cursor has more (SERVER_STATUS_CURSOR_EXISTS) or is done (SERVER_STATUS_LAST_ROW_SENT).
 *
 * @param numRows the most rows to send
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_fetch.html">COM_STMT_FETCH</a>
 */
public record ComStmtFetch(long statementId, long numRows) {
    public static ComStmtFetch decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_STMT_FETCH);
        return new ComStmtFetch(Commands.readInt4(payload), Commands.readInt4(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_STMT_FETCH).writeIntLE((int) statementId).writeIntLE((int) numRows);
    }
}
