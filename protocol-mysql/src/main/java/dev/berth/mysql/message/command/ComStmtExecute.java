package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * Executes a prepared statement. What follows the iteration count (NULL bitmap, new-params-bound flag, parameter
 * types, values; with CLIENT_QUERY_ATTRIBUTES and the PARAMETER_COUNT_AVAILABLE flag (0x08) a parameter count first)
 * can only be read knowing the statement's parameter count from its COM_STMT_PREPARE_OK, so it is kept as bytes.
 *
 * <p>MariaDB (10.2 and later) takes statement id 0xFFFFFFFF ({@link StatementIds#LAST_PREPARED}) as the statement
 * prepared last on the connection: MariaDB Connector/J sends COM_STMT_PREPARE and such a COM_STMT_EXECUTE together
 * without waiting for the statement id.
 *
 * @param flags          the cursor type ({@code CURSOR_TYPE_*}) and other flags
 * @param iterationCount always 1
 * @param parameters     the rest of the packet, as sent
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html">COM_STMT_EXECUTE</a>
 * @see <a href="https://mariadb.com/kb/en/com_stmt_execute/">MariaDB: COM_STMT_EXECUTE</a>
 */
public record ComStmtExecute(long statementId, int flags, long iterationCount, byte[] parameters) {
    public static final int CURSOR_TYPE_NO_CURSOR = 0;
    public static final int CURSOR_TYPE_READ_ONLY = 1;
    public static final int CURSOR_TYPE_FOR_UPDATE = 2;
    public static final int CURSOR_TYPE_SCROLLABLE = 4;

    public static ComStmtExecute decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_STMT_EXECUTE);
        long statementId = Commands.readInt4(payload);
        int flags = MysqlBuffers.readUnsigned(payload, 1);
        long iterationCount = Commands.readInt4(payload);
        return new ComStmtExecute(statementId, flags, iterationCount, MysqlBuffers.readEofBytes(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_STMT_EXECUTE).writeIntLE((int) statementId).writeByte(flags)
                .writeIntLE((int) iterationCount).writeBytes(parameters);
    }

    /** The same execution of another statement: the proxy numbers statements differently from each backend. */
    public ComStmtExecute withStatementId(long id) {
        return new ComStmtExecute(id, flags, iterationCount, parameters);
    }

    /** {@link #CURSOR_TYPE_NO_CURSOR}, or the kind of cursor the execution opens, fetched with COM_STMT_FETCH. */
    public int cursorType() {
        return flags & (CURSOR_TYPE_READ_ONLY | CURSOR_TYPE_FOR_UPDATE | CURSOR_TYPE_SCROLLABLE);
    }
}
