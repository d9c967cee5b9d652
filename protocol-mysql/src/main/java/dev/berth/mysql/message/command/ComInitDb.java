package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Changes the default schema, like {@code USE}.
 *
 * @param schemaName the rest of the packet
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_init_db.html">COM_INIT_DB</a>
 */
public record ComInitDb(String schemaName) {
    public static ComInitDb decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_INIT_DB);
        return new ComInitDb(MysqlBuffers.readEofString(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_INIT_DB).writeBytes(schemaName.getBytes(StandardCharsets.UTF_8));
    }
}
