package dev.berth.mysql.response;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.EofPacket;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * Finds where each response of a backend connection ends, reading only headers and the first bytes of packets
 * (never rows). Commands may be pipelined: each one that has a response is queued with {@link #expect}, and
 * {@link #onFrame} walks the frames of the oldest.
 *
 * <p>Ambiguous first bytes are decided by state: 0xFE is a terminator only when the payload is shorter than
 * 0xFFFFFF (with CLIENT_DEPRECATE_EOF) or than 9 (EOF packet), since a row starting with 0xFE is a
 * length-encoded value of at least 2^24 bytes; 0xFB is a LOCAL INFILE request only as a response's first packet
 * (a column count is never 0xFB, which would be NULL); 0x00 is an OK only where a row cannot stand.
 *
 * <p>A frame may come streamed (see {@code PacketFrameDecoder#streamLargeFrames}): its head, whose first bytes are all
 * the tracker reads, to {@link #onFrame}, then its further payload to {@link #onChunk}. A response whose last packet
 * is streamed is complete at that packet's last chunk.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html">COM_QUERY Response</a>
 */
public final class ResponseTracker {

    private enum State { FIRST, COLUMN_DEFINITIONS, DEFINITIONS_EOF, CURSOR_OR_ROWS, ROWS, PREPARE_PARAMS,
        PREPARE_PARAMS_EOF, PREPARE_COLUMNS, PREPARE_COLUMNS_EOF, FIELD_LIST, SINGLE, LOCAL_INFILE }

    /** Marks a pending command (a byte) that asked for a cursor. */
    private static final int CURSOR_REQUESTED = 0x100;

    private final boolean deprecateEof;
    private final ArrayDeque<Integer> pending = new ArrayDeque<>();
    private State state;
    private int command = -1;
    /** The current response answers a COM_STMT_EXECUTE that asked for a cursor. */
    private boolean cursorRequested;
    private long remaining;
    private int prepareColumns;
    private boolean continuation;
    /** The frame last passed to {@link #onFrame} was the head of a streamed one: chunks of it are still to come. */
    private boolean chunksPending;
    /** The response ended on a packet whose further frames or chunks are still to come. */
    private boolean completeAtPacketEnd;
    private boolean complete;
    private int statusFlags = ServerStatus.AUTOCOMMIT;
    private int warnings;
    private long lastInsertId;

    /** @param deprecateEof whether the connection negotiated CLIENT_DEPRECATE_EOF */
    public ResponseTracker(boolean deprecateEof) {
        this.deprecateEof = deprecateEof;
    }

    /** Whether a command sent with this byte is answered at all. */
    public static boolean hasResponse(int command) {
        return command != Command.COM_STMT_CLOSE && command != Command.COM_STMT_SEND_LONG_DATA
                && command != Command.COM_QUIT;
    }

    /** Queues the response to a command just written to the server. */
    public void expect(int command) {
        expect(command, false);
    }

    /**
     * Queues the response to a command just written to the server; {@code cursor} tells that it is a
     * COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY.
     */
    public void expect(int command, boolean cursor) {
        pending.add(cursor ? command | CURSOR_REQUESTED : command);
        if (state == null) {
            begin();
        }
    }

    /** Whether no response is outstanding. */
    public boolean idle() {
        return state == null;
    }

    /** The command whose response is being read, or -1. */
    public int currentCommand() {
        return state == null ? -1 : command;
    }

    /** Whether the response being read answers a COM_STMT_EXECUTE that asked for a cursor. */
    public boolean cursorRequested() {
        return state != null && cursorRequested;
    }

    /** How many responses are outstanding, the current one included. */
    public int outstanding() {
        return pending.size() + (state == null ? 0 : 1);
    }

    /** Whether the server waits for the client's file contents (until an empty packet). */
    public boolean awaitingLocalInfile() {
        return state == State.LOCAL_INFILE;
    }

    /** The client sent the empty packet that ends its file; the server answers with OK or ERR. */
    public void localInfileSent() {
        if (state != State.LOCAL_INFILE) {
            throw new IllegalStateException("no LOCAL INFILE transfer in progress");
        }
        state = State.FIRST;
    }

    /** Whether the frame last passed to {@link #onFrame} ended the response it belonged to. */
    public boolean responseComplete() {
        return complete;
    }

    /** The warning count of the last OK, EOF or terminator seen. */
    public int warnings() {
        return warnings;
    }

    /** The last-insert-id field of the last OK or terminator seen (0 after an EOF). */
    public long lastInsertId() {
        return lastInsertId;
    }

    /** The status flags of the last OK, EOF or terminator seen. */
    public int statusFlags() {
        return statusFlags;
    }

    /**
     * Classifies one frame of the current response, whole or the head of a streamed one ({@link Packets#isPartial}),
     * and advances. Throws when no response is expected.
     */
    public PacketKind onFrame(ByteBuf frame) {
        complete = false;
        if (chunksPending) {
            throw new IllegalStateException("a frame before the last chunk of the one before");
        }
        chunksPending = Packets.isPartial(frame);
        if (continuation) {
            continuation = Packets.continues(frame);
            completeIfPacketEnded();
            return PacketKind.CONTINUATION;
        }
        if (state == null || state == State.LOCAL_INFILE) {
            throw new MalformedPacketException("server sent a packet when none was expected");
        }
        continuation = Packets.continues(frame);
        int length = Packets.payloadLength(frame);
        int first = Packets.firstByte(frame);
        PacketKind kind = switch (state) {
            case FIRST -> first(frame, first);
            case COLUMN_DEFINITIONS -> definition(!deprecateEof ? State.DEFINITIONS_EOF
                    : cursorRequested ? State.CURSOR_OR_ROWS : State.ROWS);
            case DEFINITIONS_EOF -> definitionsEof(frame, first, length);
            case CURSOR_OR_ROWS -> cursorOrRows(frame, first, length);
            case ROWS -> untilTerminator(frame, first, length, PacketKind.ROW);
            case PREPARE_PARAMS -> parameterDefinition();
            case PREPARE_PARAMS_EOF -> eofThen(first, length, afterParams());
            case PREPARE_COLUMNS -> definition(deprecateEof ? null : State.PREPARE_COLUMNS_EOF);
            case PREPARE_COLUMNS_EOF -> eofThen(first, length, null);
            case FIELD_LIST -> untilTerminator(frame, first, length, PacketKind.COLUMN_DEFINITION);
            case SINGLE -> single(frame, first, length);
            case LOCAL_INFILE -> throw new IllegalStateException();
        };
        if (state == null) {
            // A last packet of 16 MB or more (COM_STATISTICS's string, say) ends with its last frame, a streamed one
            // with its last chunk.
            completeAtPacketEnd = true;
            completeIfPacketEnded();
            begin();
        }
        return kind;
    }

    /** A further piece of the streamed frame last passed to {@link #onFrame}; {@code last} ends that frame. */
    public void onChunk(boolean last) {
        complete = false;
        if (!chunksPending) {
            throw new IllegalStateException("a chunk without a streamed frame");
        }
        if (last) {
            chunksPending = false;
            completeIfPacketEnded();
        }
    }

    private void completeIfPacketEnded() {
        if (completeAtPacketEnd && !continuation && !chunksPending) {
            completeAtPacketEnd = false;
            complete = true;
        }
    }

    private void begin() {
        Integer next = pending.poll();
        if (next == null) {
            state = null;
            command = -1;
            return;
        }
        command = next & 0xff;
        cursorRequested = (next & CURSOR_REQUESTED) != 0;
        state = switch (command) {
            case Command.COM_QUERY, Command.COM_STMT_EXECUTE, Command.COM_PROCESS_INFO -> State.FIRST;
            case Command.COM_STMT_FETCH -> State.ROWS;
            case Command.COM_STMT_PREPARE -> State.FIRST;
            case Command.COM_FIELD_LIST -> State.FIELD_LIST;
            default -> State.SINGLE;
        };
    }

    private PacketKind first(ByteBuf frame, int first) {
        switch (first) {
            case 0x00:
                if (command == Command.COM_STMT_PREPARE) {
                    return prepareOk(frame);
                }
                readStatusOfOk(frame);
                state = moreResults() ? State.FIRST : null;
                return PacketKind.OK;
            case 0xff:
                state = null;
                return PacketKind.ERR;
            case 0xfb:
                state = State.LOCAL_INFILE;
                return PacketKind.LOCAL_INFILE_REQUEST;
            default:
                ByteBuf payload = Packets.payloadStart(frame);
                remaining = MysqlBuffers.readLenencInt(payload);
                if (remaining == 0) {
                    throw new MalformedPacketException("result set with zero columns");
                }
                state = State.COLUMN_DEFINITIONS;
                return PacketKind.COLUMN_COUNT;
        }
    }

    private PacketKind prepareOk(ByteBuf frame) {
        ByteBuf payload = Packets.payloadStart(frame);
        MysqlBuffers.readUnsigned(payload, 1); // status 0x00
        MysqlBuffers.readUnsigned(payload, 4); // statement id
        prepareColumns = MysqlBuffers.readUnsigned(payload, 2);
        remaining = MysqlBuffers.readUnsigned(payload, 2);
        if (remaining > 0) {
            state = State.PREPARE_PARAMS;
        } else {
            state = afterParams();
        }
        return PacketKind.PREPARE_OK;
    }

    private State afterParams() {
        if (prepareColumns == 0) {
            return null;
        }
        remaining = prepareColumns;
        prepareColumns = 0;
        return State.PREPARE_COLUMNS;
    }

    /** One definition of a block; after the last one, go to {@code afterLast}. */
    private PacketKind definition(State afterLast) {
        if (--remaining > 0) {
            return PacketKind.COLUMN_DEFINITION;
        }
        state = afterLast;
        return PacketKind.LAST_COLUMN_DEFINITION;
    }

    private PacketKind parameterDefinition() {
        if (--remaining > 0) {
            return PacketKind.COLUMN_DEFINITION;
        }
        // afterParams() starts the column block, so it may only run once the last parameter is in.
        state = deprecateEof ? afterParams() : State.PREPARE_PARAMS_EOF;
        return PacketKind.LAST_COLUMN_DEFINITION;
    }

    private PacketKind definitionsEof(ByteBuf frame, int first, int length) {
        if (first == 0xff && cursorRequested) {
            // The cursor could not be opened (an error while the server materialized it): no EOF, no rows.
            state = null;
            return PacketKind.ERR;
        }
        requireEof(first, length);
        readEofStatus(frame);
        // A cursor was opened: rows come later, through COM_STMT_FETCH.
        state = (statusFlags & ServerStatus.CURSOR_EXISTS) != 0 ? null : State.ROWS;
        return PacketKind.DEFINITIONS_EOF;
    }

    /**
     * The first packet after COM_STMT_EXECUTE's definitions under CLIENT_DEPRECATE_EOF. When the statement opened a
     * cursor, the server ends the response right there with a 0xFE OK carrying SERVER_STATUS_CURSOR_EXISTS (the
     * rows come through COM_STMT_FETCH): that packet stands where the definitions' EOF would without the flag, so it
     * is a {@link PacketKind#DEFINITIONS_EOF}, not the terminator of an empty result set, which a client without
     * the flag must be shown as two EOFs. Only a COM_STMT_EXECUTE that asked for a cursor comes here.
     */
    private PacketKind cursorOrRows(ByteBuf frame, int first, int length) {
        state = State.ROWS;
        PacketKind kind = untilTerminator(frame, first, length, PacketKind.ROW);
        if (kind == PacketKind.TERMINATOR && (statusFlags & ServerStatus.CURSOR_EXISTS) != 0) {
            return PacketKind.DEFINITIONS_EOF;
        }
        return kind;
    }

    private PacketKind eofThen(int first, int length, State next) {
        requireEof(first, length);
        state = next;
        return PacketKind.DEFINITIONS_EOF;
    }

    /** Rows (or COM_FIELD_LIST's definitions) until a terminator or an ERR. */
    private PacketKind untilTerminator(ByteBuf frame, int first, int length, PacketKind item) {
        if (first == 0xff) {
            state = null;
            return PacketKind.ERR;
        }
        if (isTerminator(first, length)) {
            readTerminatorStatus(frame);
            state = moreResults() ? State.FIRST : null;
            return PacketKind.TERMINATOR;
        }
        return item;
    }

    private PacketKind single(ByteBuf frame, int first, int length) {
        state = null;
        if (first == 0x00) {
            readStatusOfOk(frame);
            return PacketKind.OK;
        }
        if (first == 0xff) {
            return PacketKind.ERR;
        }
        if (command != Command.COM_STATISTICS && isTerminator(first, length)) {
            readTerminatorStatus(frame);
            return PacketKind.TERMINATOR;
        }
        return PacketKind.OTHER;
    }

    private boolean isTerminator(int first, int length) {
        return first == 0xfe && (deprecateEof ? length < Packets.MAX_PAYLOAD : length < EofPacket.MAX_LENGTH);
    }

    private void requireEof(int first, int length) {
        if (first != 0xfe || length >= EofPacket.MAX_LENGTH) {
            throw new MalformedPacketException("expected an EOF packet after definitions");
        }
    }

    private void readTerminatorStatus(ByteBuf frame) {
        if (deprecateEof) {
            readStatusOfOk(frame);
        } else {
            readEofStatus(frame);
        }
    }

    /** An EOF packet cut before its status (shorter than 5 bytes) is malformed. */
    private void readEofStatus(ByteBuf frame) {
        EofPacket eof = EofPacket.decode(Packets.payloadStart(frame));
        statusFlags = eof.statusFlags();
        warnings = eof.warnings();
        lastInsertId = 0;
    }

    /** From the packet's first bytes only, so the head of a streamed OK will do. */
    private void readStatusOfOk(ByteBuf frame) {
        ByteBuf payload = Packets.payloadStart(frame);
        payload.skipBytes(1);
        MysqlBuffers.readLenencInt(payload);
        lastInsertId = MysqlBuffers.readLenencInt(payload);
        statusFlags = MysqlBuffers.readUnsigned(payload, 2);
        warnings = payload.readableBytes() >= 2 ? MysqlBuffers.readUnsigned(payload, 2) : 0;
    }

    private boolean moreResults() {
        return (statusFlags & ServerStatus.MORE_RESULTS_EXISTS) != 0;
    }
}
