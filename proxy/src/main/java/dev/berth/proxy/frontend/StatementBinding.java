package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.command.ComStmtExecute;
import dev.berth.mysql.message.command.ExecuteParameterTypes;
import dev.berth.mysql.message.command.StatementIds;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.backend.ServerStatements;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Transaction pool mode: a client's statement command made fit for the connection that runs it. The client's
 * statement id becomes the connection's, and an execution that does not send its parameter types (the
 * new-params-bound flag 0, as drivers do after the first execution) gets the client's last types where the
 * connection's statement was last bound with others, or never.
 */
final class StatementBinding {
    /** Header, command and statement id: the flags byte of a COM_STMT_EXECUTE. */
    private static final int FLAGS_OFFSET = Packets.HEADER_SIZE + 1 + 4;

    private StatementBinding() {
    }

    /** Whether a COM_STMT_EXECUTE frame asks for a cursor. */
    static boolean opensCursor(ByteBuf frame) {
        if (frame.readableBytes() <= FLAGS_OFFSET) {
            return false; // the server refuses it
        }
        int flags = frame.getUnsignedByte(frame.readerIndex() + FLAGS_OFFSET);
        return (flags & (ComStmtExecute.CURSOR_TYPE_READ_ONLY | ComStmtExecute.CURSOR_TYPE_FOR_UPDATE
                | ComStmtExecute.CURSOR_TYPE_SCROLLABLE)) != 0;
    }

    /**
     * Returns the frame to send: {@code frame} rewritten in place, or a new one in its place ({@code frame} then
     * released). A statement whose prepare on the connection is still unanswered (sent just before, pipelined) is
     * named as MariaDB's last prepared statement.
     */
    static ByteBuf bind(ServerStatements.Statement onServer, ClientStatements.Prepared prepared, int command,
                        ByteBuf frame, ByteBufAllocator alloc) {
        StatementIds.rewrite(frame, onServer.id() < 0 ? StatementIds.LAST_PREPARED : onServer.id());
        if (command != Command.COM_STMT_EXECUTE || prepared.parameters <= 0) {
            return frame;
        }
        byte[] sent;
        try {
            sent = ExecuteParameterTypes.read(frame, prepared.parameters);
        } catch (MalformedPacketException e) {
            return frame; // the server answers it
        }
        if (sent != null) {
            prepared.types = sent;
            onServer.boundTypes(sent);
            return frame;
        }
        if (prepared.types == null || onServer.typesBound(prepared.types)) {
            return frame;
        }
        try {
            ByteBuf bound = ExecuteParameterTypes.withTypes(frame, prepared.parameters, prepared.types, alloc);
            onServer.boundTypes(prepared.types);
            return bound;
        } catch (IllegalArgumentException tooLarge) {
            return frame; // 16 MB or more: sent as it is (docs/ARCHITECTURE.md, "Transaction pooling")
        }
    }
}
