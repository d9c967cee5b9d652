package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.EofPacket;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.StmtPrepareOk;
import dev.berth.mysql.message.command.ComStmtExecute;
import dev.berth.mysql.message.command.StatementIds;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * KILL prepared as a statement ({@code KILL QUERY ?}, or with its id written in). Prepared on the server, its id would
 * name a backend thread, another client's perhaps; so Berth prepares it itself, under statement ids far above any a
 * server hands out on one connection, and runs each execution as the text KILL it stands for ({@link KillCommand}).
 * One per client session; on the client's event loop.
 */
final class PreparedKills {
    /** Berth's statement ids count down from here; a server counts up from 1 on each connection. */
    private static final long FIRST_ID = 0xfffffff0L;
    private static final int MYSQL_TYPE_LONGLONG = 0x08;
    private static final int BINARY_CHARSET = 63;

    private final Map<Long, KillStatement> statements = new HashMap<>();
    /** The parameter type each statement was last executed with, for executions that do not send it again. */
    private final Map<Long, Integer> parameterTypes = new HashMap<>();
    private long nextId = FIRST_ID;

    /** Whether {@code frame}, a statement command, names one of Berth's statements. */
    boolean owns(ByteBuf frame) {
        try {
            return statements.containsKey(StatementIds.read(frame));
        } catch (MalformedPacketException e) {
            return false; // the server answers a statement command too short to name a statement
        }
    }

    /** A COM_STMT_PREPARE of a KILL: answered here with a statement of Berth's; false when it is another form. */
    boolean prepare(ByteBuf frame, KillCommand.Requester requester) {
        KillStatement kill = KillStatement.parseTemplate(Packets.payload(frame));
        if (kill == null) {
            return false;
        }
        long id = nextId--;
        statements.put(id, kill);
        ClientSession session = requester.session();
        ByteBufAllocator alloc = session.channel().alloc();
        int sequence = Packets.sequenceId(frame) + 1;
        boolean parameter = kill.id() == KillStatement.PARAMETER;
        ByteBuf ok = Packets.start(alloc);
        new StmtPrepareOk(id, 0, parameter ? 1 : 0, 0).encode(ok);
        requester.reply(Packets.finish(ok, sequence++));
        if (parameter) {
            requester.reply(parameterDefinition(alloc, sequence++));
            if (!session.has(Capabilities.CLIENT_DEPRECATE_EOF)) {
                ByteBuf eof = Packets.start(alloc);
                new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(eof);
                requester.reply(Packets.finish(eof, sequence));
            }
        }
        return true;
    }

    /** A statement command for one of Berth's statements; consumes {@code frame}. */
    void onCommand(ByteBuf frame, KillCommand.Requester requester, Map<Long, ClientSession> sessions) {
        int sequence = Packets.sequenceId(frame) + 1;
        Channel channel = requester.session().channel();
        try {
            long id = StatementIds.read(frame);
            switch (Packets.firstByte(frame)) {
                case Command.COM_STMT_CLOSE -> {
                    statements.remove(id);
                    parameterTypes.remove(id);
                }
                case Command.COM_STMT_SEND_LONG_DATA -> {
                    // answered by nothing; the execution that follows says what is missing
                }
                case Command.COM_STMT_RESET -> requester.reply(ErrFrames.ok(channel.alloc(), sequence, ServerStatus.AUTOCOMMIT,
                        requester.session().capabilities()));
                case Command.COM_STMT_EXECUTE -> execute(id, ComStmtExecute.decode(Packets.payload(frame)), sequence,
                        requester, sessions);
                default -> requester.reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.NOT_ALLOWED_COMMAND,
                        "berth: a prepared KILL has no rows to fetch")));
            }
        } catch (MalformedPacketException e) {
            requester.reply(ErrFrames.of(channel, sequence, ErrPacket.of(ErrorCode.MALFORMED_PACKET,
                    "berth: malformed statement command for a prepared KILL: " + e.getMessage())));
        } finally {
            frame.release();
        }
    }

    private void execute(long id, ComStmtExecute execute, int sequence, KillCommand.Requester requester,
                         Map<Long, ClientSession> sessions) {
        KillStatement kill = statements.get(id);
        if (kill.id() == KillStatement.PARAMETER) {
            long target = parameter(id, execute.parameters());
            if (target < 0) {
                requester.reply(ErrFrames.of(requester.session().channel(), sequence, ErrPacket.of(
                        ErrorCode.NOT_ALLOWED_COMMAND, "berth: KILL ? needs a connection id, a number, bound to its "
                                + "parameter")));
                return;
            }
            kill = kill.withId(target);
        }
        KillCommand.run(sessions, requester, kill, sequence);
    }

    /**
     * The id bound to the one parameter: null bitmap, new-params-bound flag, the type when bound anew, the value.
     * Integers of any width and numbers sent as text are taken; -1 for NULL or anything else.
     */
    private long parameter(long id, byte[] parameters) {
        ByteBuf in = io.netty.buffer.Unpooled.wrappedBuffer(parameters);
        if ((MysqlBuffers.readUnsigned(in, 1) & 1) != 0) {
            return -1; // NULL
        }
        if (MysqlBuffers.readUnsigned(in, 1) == 1) {
            parameterTypes.put(id, MysqlBuffers.readUnsigned(in, 2) & 0xff);
        }
        Integer type = parameterTypes.get(id);
        if (type == null) {
            return -1;
        }
        return switch (type) {
            case 0x01 -> MysqlBuffers.readUnsigned(in, 1);
            case 0x02, 0x0d -> MysqlBuffers.readUnsigned(in, 2);
            case 0x03, 0x09 -> in.readableBytes() >= 4 ? in.readUnsignedIntLE() : -1;
            case 0x08 -> in.readableBytes() >= 8 ? in.readLongLE() : -1;
            case 0x00, 0x0f, 0xf6, 0xfc, 0xfd, 0xfe -> number(MysqlBuffers.readLenencBytes(in));
            default -> -1;
        };
    }

    private static long number(byte[] text) {
        try {
            return Long.parseLong(new String(text, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The definition of the {@code ?}: a BIGINT, as the server describes a parameter it cannot type better. */
    private static ByteBuf parameterDefinition(ByteBufAllocator alloc, int sequence) {
        ByteBuf out = Packets.start(alloc);
        MysqlBuffers.writeLenencBytes(out, "def".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 3; i++) {
            MysqlBuffers.writeLenencBytes(out, new byte[0]); // schema, table, original table
        }
        MysqlBuffers.writeLenencBytes(out, "?".getBytes(StandardCharsets.US_ASCII));
        MysqlBuffers.writeLenencBytes(out, new byte[0]); // original name
        out.writeByte(0x0c); // length of the fixed fields
        out.writeShortLE(BINARY_CHARSET);
        out.writeIntLE(21); // column length
        out.writeByte(MYSQL_TYPE_LONGLONG);
        out.writeShortLE(0x80); // BINARY_FLAG
        out.writeByte(0); // decimals
        out.writeShortLE(0); // filler
        return Packets.finish(out, sequence);
    }
}
