package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * Turns multi-statements on or off for the session. The server answers with an EOF packet (MariaDB, even under
 * CLIENT_DEPRECATE_EOF; MySQL's page says OK) or with an ERR for an unknown option. Any option value decodes: refusing
 * one is the server's business.
 *
 * @param option {@link Command#MYSQL_OPTION_MULTI_STATEMENTS_ON} or {@link Command#MYSQL_OPTION_MULTI_STATEMENTS_OFF}
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_set_option.html">COM_SET_OPTION</a>
 */
public record ComSetOption(int option) {
    public static ComSetOption decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_SET_OPTION);
        return new ComSetOption(MysqlBuffers.readUnsigned(payload, 2));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_SET_OPTION).writeShortLE(option);
    }
}
