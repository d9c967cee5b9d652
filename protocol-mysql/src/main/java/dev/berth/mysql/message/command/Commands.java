package dev.berth.mysql.message.command;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Command;
import io.netty.buffer.ByteBuf;

/** Fields every command reads the same way. */
final class Commands {
    private Commands() {
    }

    /** Reads the command byte, which must be {@code command}. */
    static void readCommand(ByteBuf payload, int command) {
        int actual = MysqlBuffers.readUnsigned(payload, 1);
        if (actual != command) {
            throw new MalformedPacketException(
                    Command.name(actual) + " where " + Command.name(command) + " was expected");
        }
    }

    /** Reads an unsigned int&lt;4&gt; (statement and connection ids, row counts). */
    static long readInt4(ByteBuf payload) {
        return Integer.toUnsignedLong(MysqlBuffers.readUnsigned(payload, 4));
    }
}
