package dev.berth.mysql.message.command;

import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * Asks the server to end a connection, like {@code KILL <id>}. Deprecated since MySQL 5.7.11 (mariadb-admin kill, for
 * one, sends the KILL statement instead), but still served.
 *
 * @param connectionId the connection to end, as its handshake numbered it
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_process_kill.html">COM_PROCESS_KILL</a>
 */
public record ComProcessKill(long connectionId) {
    public static ComProcessKill decode(ByteBuf payload) {
        Commands.readCommand(payload, Command.COM_PROCESS_KILL);
        return new ComProcessKill(Commands.readInt4(payload));
    }

    public void encode(ByteBuf out) {
        out.writeByte(Command.COM_PROCESS_KILL).writeIntLE((int) connectionId);
    }
}
