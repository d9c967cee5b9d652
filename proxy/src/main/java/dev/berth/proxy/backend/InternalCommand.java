package dev.berth.proxy.backend;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.command.StatementIds;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.response.PacketKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A command Berth sends on its own behalf (reset, schema, character set, multi-statement option, a statement to
 * prepare), whose response is read here and never reaches a client.
 */
public final class InternalCommand implements ResponseSink {
    /** A text row's NULL. */
    private static final int NULL_VALUE = 0xfb;

    /** The outcome: {@code error} is the server's ERR, {@code lost} the failure of the connection; both null = OK. */
    public interface Callback {
        void onResult(BackendConnection backend, ErrPacket error, Throwable lost);
    }

    /** The outcome of a query whose first row Berth reads: {@code row} is null when it had none or failed. */
    public interface RowCallback {
        void onRow(BackendConnection backend, List<String> row, ErrPacket error, Throwable lost);
    }

    /** The outcome of a COM_STMT_PREPARE of Berth's: the server's statement id, or -1 when it failed. */
    public interface PrepareCallback {
        void onPrepared(BackendConnection backend, long statementId, ErrPacket error, Throwable lost);
    }

    private final Callback callback;
    private final boolean readsRow;
    private ErrPacket error;
    private List<String> row;
    private long statementId = -1;

    private InternalCommand(Callback callback, boolean readsRow) {
        this.callback = callback;
        this.readsRow = readsRow;
    }

    /** Writes {@code frame} (a one-frame command) to {@code backend}; {@code callback} runs on its event loop. */
    public static void send(BackendConnection backend, ByteBuf frame, Callback callback, boolean flush) {
        int command = Packets.firstByte(frame);
        backend.send(frame, command, new InternalCommand(callback, false), flush);
    }

    /** Sends a text query and reads its first row (values as text, null for NULL); not flushed. */
    public static void queryRow(BackendConnection backend, String sql, RowCallback callback) {
        InternalCommand[] self = new InternalCommand[1];
        self[0] = new InternalCommand((b, error, lost) -> callback.onRow(b, self[0].row, error, lost), true);
        backend.send(query(backend.channel().alloc(), sql), Command.COM_QUERY, self[0], false);
    }

    /**
     * Prepares {@code sql} (its bytes as the client sent them) and reads the statement id; the definitions that
     * follow are dropped. Flushed.
     */
    public static void prepare(BackendConnection backend, byte[] sql, PrepareCallback callback) {
        InternalCommand[] self = new InternalCommand[1];
        self[0] = new InternalCommand((b, error, lost) -> callback.onPrepared(b, self[0].statementId, error, lost),
                false);
        backend.send(command(backend.channel().alloc(), Command.COM_STMT_PREPARE, sql), Command.COM_STMT_PREPARE,
                self[0], true);
    }

    /** Closes a statement on the server; COM_STMT_CLOSE has no answer. */
    public static void closeStatement(BackendConnection backend, long statementId) {
        ByteBuf out = Packets.start(backend.channel().alloc());
        out.writeByte(Command.COM_STMT_CLOSE).writeIntLE((int) statementId);
        backend.send(Packets.finish(out, 0), Command.COM_STMT_CLOSE, null, false);
    }

    public static ByteBuf resetConnection(ByteBufAllocator alloc) {
        return command(alloc, Command.COM_RESET_CONNECTION, null);
    }

    public static ByteBuf initDb(ByteBufAllocator alloc, String schema) {
        return command(alloc, Command.COM_INIT_DB, schema.getBytes(StandardCharsets.UTF_8));
    }

    public static ByteBuf query(ByteBufAllocator alloc, String sql) {
        return command(alloc, Command.COM_QUERY, sql.getBytes(StandardCharsets.UTF_8));
    }

    public static ByteBuf setMultiStatements(ByteBufAllocator alloc, boolean on) {
        int option = on ? Command.MYSQL_OPTION_MULTI_STATEMENTS_ON : Command.MYSQL_OPTION_MULTI_STATEMENTS_OFF;
        return command(alloc, Command.COM_SET_OPTION, new byte[] {(byte) option, 0});
    }

    public static ByteBuf ping(ByteBufAllocator alloc) {
        return command(alloc, Command.COM_PING, null);
    }

    public static ByteBuf quit(ByteBufAllocator alloc) {
        return command(alloc, Command.COM_QUIT, null);
    }

    private static ByteBuf command(ByteBufAllocator alloc, int command, byte[] argument) {
        ByteBuf out = Packets.start(alloc);
        out.writeByte(command);
        if (argument != null) {
            out.writeBytes(argument);
        }
        return Packets.finish(out, 0);
    }

    @Override
    public void onFrame(BackendConnection backend, ByteBuf frame, PacketKind kind, boolean complete) {
        try {
            if (kind == PacketKind.ERR) {
                error = ErrPacket.decode(Packets.payload(frame));
            } else if (kind == PacketKind.PREPARE_OK) {
                statementId = StatementIds.read(frame);
            } else if (kind == PacketKind.ROW && readsRow && row == null) {
                row = textRow(Packets.payload(frame));
            }
        } finally {
            frame.release();
        }
        if (complete) {
            callback.onResult(backend, error, null);
        }
    }

    private static List<String> textRow(ByteBuf payload) {
        List<String> values = new ArrayList<>();
        while (payload.isReadable()) {
            if (payload.getUnsignedByte(payload.readerIndex()) == NULL_VALUE) {
                payload.skipBytes(1);
                values.add(null);
            } else {
                values.add(MysqlBuffers.readLenencString(payload));
            }
        }
        return values;
    }

    @Override
    public void onBackendLost(BackendConnection backend, Throwable cause) {
        callback.onResult(backend, null, cause);
    }
}
