package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Prepares a statement. The server answers with a {@link dev.berth.mysql.message.StmtPrepareOk} followed by the
 * parameter and column definitions, or with an ERR.
 *
 * @param query the SQL as the client sent it, in its connection's character set
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html">COM_STMT_PREPARE</a>
 */
public record ComStmtPrepare(byte[] query) {
    public static ComStmtPrepare decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_STMT_PREPARE);
        return new ComStmtPrepare(MysqlBuffers.readEofBytes(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_STMT_PREPARE).writeBytes(query);
    }

    public String sql() {
        return sql(StandardCharsets.UTF_8);
    }

    public String sql(Charset charset) {
        return new String(query, charset);
    }
}
