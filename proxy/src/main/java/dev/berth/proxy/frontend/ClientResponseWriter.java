package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.EofPacket;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.OkPacket;
import dev.berth.mysql.message.SessionStateInfo;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.mysql.response.PacketKind;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.ResponseSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.function.Consumer;

/**
 * Forwards a backend's responses to one client, translated from the backend's fixed capabilities to the client's:
 * EOF packets for clients without CLIENT_DEPRECATE_EOF, OK packets without session-state data for clients that did
 * not ask for it, and a refusal of LOAD DATA LOCAL for clients that did not enable it. Rows pass untouched. In
 * transaction pool mode it also follows the session state the server reports (variables, schema, LAST_INSERT_ID()),
 * shows a client that asked for session tracking only what a direct connection would show it, and tells the command
 * phase where each response ended.
 *
 * <p>Runs on the backend connection's event loop. Sequence ids are shifted where a packet is inserted or dropped.
 *
 * <p>Packets longer than 64 KB come streamed (head, then chunks) and pass as they come, untranslated: only rows, long
 * strings and the like are that large. While the client can't take more, the backend is not read (see
 * {@link CommandPhase#clientBackpressure}), so what waits here for the client stays near the write buffer's high mark.
 */
final class ClientResponseWriter implements ResponseSink {
    /**
     * Status flags that tell of one statement's outcome, not of the session: the server clears them as a statement
     * starts (its SERVER_STATUS_CLEAR_SET, but for MORE_RESULTS_EXISTS, which still holds within a response). An
     * inserted EOF has only the status of the last packet the server sent, maybe another statement's, so it goes
     * without them: a stale CURSOR_EXISTS would tell a C client that this statement opened a cursor.
     */
    private static final int STATEMENT_FLAGS = ServerStatus.NO_GOOD_INDEX_USED | ServerStatus.NO_INDEX_USED
            | ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT | ServerStatus.DB_DROPPED
            | ServerStatus.METADATA_CHANGED | ServerStatus.QUERY_WAS_SLOW | ServerStatus.PS_OUT_PARAMS
            | ServerStatus.SESSION_STATE_CHANGED;

    private final CommandPhase session;
    private final Channel client;
    private final long clientCapabilities;
    private final boolean clientDeprecateEof;
    private final boolean clientSessionTrack;
    private final boolean transactionMode;
    /** The response so far reported a state change with nothing that says what changed. */
    private boolean unexplainedChange;
    /** The response so far reported a change of what the server tracks. */
    private boolean trackingChanged;
    private int shift;
    /** Status flags of an EOF still to be inserted after column definitions, or -1. */
    private int definitionsEofStatus = -1;
    /** Those definitions answer a COM_STMT_EXECUTE that asked for a cursor. */
    private boolean definitionsOfCursor;
    private int nextSequence = 1;
    private boolean refusingLocalInfile;

    ClientResponseWriter(CommandPhase session, Channel client, long clientCapabilities, boolean transactionMode) {
        this.transactionMode = transactionMode;
        this.session = session;
        this.client = client;
        this.clientCapabilities = clientCapabilities;
        this.clientDeprecateEof = Capabilities.has(clientCapabilities, Capabilities.CLIENT_DEPRECATE_EOF);
        this.clientSessionTrack = Capabilities.has(clientCapabilities, Capabilities.CLIENT_SESSION_TRACK);
    }

    @Override
    public void onFrame(BackendConnection backend, ByteBuf frame, PacketKind kind, boolean complete) {
        if (refusingLocalInfile) {
            dropWhileRefusing(backend, frame, complete);
            return;
        }
        if (kind == PacketKind.ERR) {
            countServerError(frame);
        }
        try {
            translate(backend, frame, kind, complete);
        } catch (MalformedPacketException e) {
            // The server's OK or EOF could not be read (nothing was handed on yet): the connection will be closed.
            frame.release();
            throw e;
        }
        if (complete) {
            responseComplete(backend, kind == PacketKind.ERR);
        }
    }

    @Override
    public boolean streams() {
        return true;
    }

    @Override
    public void onChunk(BackendConnection backend, ByteBuf chunk, boolean lastOfFrame, boolean complete) {
        if (refusingLocalInfile) {
            dropWhileRefusing(backend, chunk, complete);
            return;
        }
        // An EOF owed after a streamed last column definition goes out with the next packet, as for a whole one.
        client.write(chunk, client.voidPromise());
        if (complete) {
            responseComplete(backend, false);
        }
        if (!client.isWritable()) {
            flush(); // and pause the backend; whole frames wait for the end of the read (at most 2 reads)
        }
    }

    /** Counts the server's ERR by its code: after the 4-byte header, 0xff and the code in two bytes. */
    private void countServerError(ByteBuf frame) {
        ClientMetrics metrics = ClientMetrics.of(client);
        if (metrics != null && frame.readableBytes() >= Packets.HEADER_SIZE + 3) {
            metrics.error(frame.getUnsignedShortLE(frame.readerIndex() + Packets.HEADER_SIZE + 1));
        }
    }

    private void dropWhileRefusing(BackendConnection backend, ByteBuf bytes, boolean complete) {
        bytes.release();
        if (complete) {
            refusingLocalInfile = false;
            write(ErrFrames.of(client, nextSequence, ErrPacket.of(ErrorCode.NOT_ALLOWED_COMMAND,
                    "berth: LOAD DATA LOCAL INFILE needs the client to enable local files "
                            + "(e.g. allowLoadLocalInfile=true, --local-infile=1)")));
            responseComplete(backend, true);
        }
    }

    private void translate(BackendConnection backend, ByteBuf frame, PacketKind kind, boolean complete) {
        boolean backendDeprecateEof = Capabilities.has(backend.capabilities(), Capabilities.CLIENT_DEPRECATE_EOF);
        if (definitionsEofStatus >= 0) {
            int status = definitionsEofStatus;
            definitionsEofStatus = -1;
            // Where a cursor was asked for, an ERR right after the definitions means it could not be opened; the
            // server sends a client without CLIENT_DEPRECATE_EOF no EOF before it either.
            boolean inPlaceOfEof = kind == PacketKind.DEFINITIONS_EOF
                    || (kind == PacketKind.ERR && definitionsOfCursor);
            if (!inPlaceOfEof) {
                insert(new EofPacket(0, status));
            }
        }
        switch (kind) {
            // One too large to hold (session-state data past 64 KB) passes as it is.
            case OK -> write(Packets.isPartial(frame) ? frame : okFrame(backend, frame));
            case TERMINATOR -> write(Packets.isPartial(frame) ? frame : terminator(backend, frame, backendDeprecateEof));
            case LAST_COLUMN_DEFINITION -> {
                write(frame);
                if (backendDeprecateEof && !clientDeprecateEof) {
                    int status = backend.statusFlags() & ~STATEMENT_FLAGS;
                    if (complete) {
                        insert(new EofPacket(0, status));
                    } else {
                        // Inserted with the next packet, unless that one is the 0xFE OK ending a cursor's
                        // definitions: then it becomes the EOF, whose SERVER_STATUS_CURSOR_EXISTS tells the client
                        // to fetch; an EOF inserted before it (without the flag) would be read as the definitions'
                        // end and the converted OK as the end of rows, leaving the client out of sync.
                        definitionsEofStatus = status;
                        definitionsOfCursor = backend.cursorRequested();
                    }
                }
            }
            case DEFINITIONS_EOF -> {
                boolean cursor = (backend.statusFlags() & ServerStatus.CURSOR_EXISTS) != 0;
                if (backendDeprecateEof || (clientDeprecateEof && cursor)) {
                    // A cursor was opened and no rows follow: the client needs this packet's status, in its format.
                    write(terminator(backend, frame, backendDeprecateEof));
                } else if (clientDeprecateEof) {
                    frame.release();
                    shift--;
                } else {
                    write(frame);
                }
            }
            case LOCAL_INFILE_REQUEST -> {
                if (Capabilities.has(clientCapabilities, Capabilities.CLIENT_LOCAL_FILES)) {
                    session.localInfileRequested();
                    write(frame);
                } else {
                    refuseLocalInfile(backend, frame);
                }
            }
            default -> write(frame);
        }
    }

    private void responseComplete(BackendConnection backend, boolean error) {
        endResponse();
        if (transactionMode) {
            backend.lastClient(session.session().connectionId());
            long insertId = error ? 0 : backend.lastInsertIdOfLastOk();
            if (insertId != 0) {
                session.insertIdReported(backend, insertId);
            }
            session.responseEnded(new ResponseEnd(backend.statusFlags(), backend.warnings(), error,
                    unexplainedChange, trackingChanged));
        }
        unexplainedChange = false;
        trackingChanged = false;
        session.responseDone();
    }

    private void endResponse() {
        shift = 0;
        definitionsEofStatus = -1;
        nextSequence = 1;
    }

    /** Answers the server's file request with an empty file, drops its answer, and gives the client an ERR. */
    private void refuseLocalInfile(BackendConnection backend, ByteBuf request) {
        int sequence = Packets.sequenceId(request) + 1;
        request.release();
        ByteBuf empty = Packets.finish(Packets.start(backend.channel().alloc()), sequence);
        backend.send(empty, -1, null, true);
        backend.localInfileSent();
        refusingLocalInfile = true;
    }

    private ByteBuf okFrame(BackendConnection backend, ByteBuf frame) {
        if (passesUnchanged(frame)) {
            return frame;
        }
        OkPacket ok = OkPacket.decode(Packets.payload(frame), backend.capabilities());
        trackSchema(backend, ok);
        OkPacket shown = follow(backend, ok);
        if (shown == ok && !needsReencoding(backend, frame, ok)) {
            return frame;
        }
        return reencode(frame, shown);
    }

    private ByteBuf terminator(BackendConnection backend, ByteBuf frame, boolean backendDeprecateEof) {
        if (backendDeprecateEof) {
            if (clientDeprecateEof && passesUnchanged(frame)) {
                return frame;
            }
            OkPacket ok = OkPacket.decode(Packets.payload(frame), backend.capabilities());
            trackSchema(backend, ok);
            OkPacket shown = follow(backend, ok);
            if (!clientDeprecateEof) {
                return replace(frame, new EofPacket(shown.warnings(), shown.statusFlags())::encode);
            }
            return shown != ok || needsReencoding(backend, frame, ok) ? reencode(frame, shown) : frame;
        }
        if (clientDeprecateEof) {
            EofPacket eof = EofPacket.decode(Packets.payload(frame));
            return reencode(frame, new OkPacket(OkPacket.EOF_HEADER, 0, 0, eof.statusFlags(), eof.warnings(),
                    new byte[0], null));
        }
        return frame;
    }

    /**
     * The hot path: an OK that ends right after its warnings reads the same with or without CLIENT_SESSION_TRACK and
     * carries no session change to follow, so it goes out as it came, without being decoded.
     */
    private static boolean passesUnchanged(ByteBuf frame) {
        return !OkPacket.hasTrailer(Packets.payload(frame));
    }

    private void trackSchema(BackendConnection backend, OkPacket ok) {
        if (ok.sessionState() != null) {
            String schema = SessionStateInfo.schema(ok.sessionState());
            if (schema != null) {
                backend.schema(schema);
                session.schemaChanged(schema);
            }
        }
    }

    /**
     * Transaction pool mode: takes in the session state the OK reports, and returns the OK as the client should see
     * it: for a client with CLIENT_SESSION_TRACK, only the entries its own tracking settings would have the server
     * send (Berth's tracking reports every variable), without SERVER_SESSION_STATE_CHANGED when none remain. Others get
     * no session-state data at all ({@link #needsReencoding}).
     */
    private OkPacket follow(BackendConnection backend, OkPacket ok) {
        if (!transactionMode || ok.sessionState() == null) {
            return ok;
        }
        SessionStateInfo info = SessionStateInfo.decode(ok.sessionState());
        unexplainedChange |= !session.serverReported(backend, info);
        trackingChanged |= info.systemVariables().keySet().stream().anyMatch(CommandPhase::isTrackingVariable);
        if (!clientSessionTrack) {
            return ok;
        }
        byte[] shown = SessionStateInfo.shownTo(ok.sessionState(), session.session().trackSettings());
        if (shown == ok.sessionState()) {
            return ok;
        }
        int status = shown == null ? ok.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED : ok.statusFlags();
        return new OkPacket(ok.header(), ok.affectedRows(), ok.lastInsertId(), status, ok.warnings(), ok.info(),
                shown);
    }

    /** Session-track formats differ only when the backend's OK carries something after the warnings. */
    private boolean needsReencoding(BackendConnection backend, ByteBuf frame, OkPacket ok) {
        boolean backendSessionTrack = Capabilities.has(backend.capabilities(), Capabilities.CLIENT_SESSION_TRACK);
        if (backendSessionTrack == clientSessionTrack) {
            return false;
        }
        return ok.info().length > 0 || ok.sessionState() != null
                || (ok.statusFlags() & ServerStatus.SESSION_STATE_CHANGED) != 0;
    }

    private ByteBuf reencode(ByteBuf frame, OkPacket ok) {
        return replace(frame, out -> ok.encode(out, clientCapabilities));
    }

    /** A new frame with the same sequence id in place of {@code frame}, which is released. */
    private ByteBuf replace(ByteBuf frame, Consumer<ByteBuf> payload) {
        ByteBuf out = Packets.start(client.alloc());
        payload.accept(out);
        int sequence = Packets.sequenceId(frame);
        frame.release();
        return Packets.finish(out, sequence);
    }

    private void insert(EofPacket eof) {
        ByteBuf out = Packets.start(client.alloc());
        eof.encode(out);
        shift++;
        // The inserted packet takes the next id; everything after it moves up by one.
        write(Packets.finish(out, nextSequence), false);
    }

    private void write(ByteBuf frame) {
        write(frame, true);
    }

    private void write(ByteBuf frame, boolean fromBackend) {
        if (!client.isActive()) {
            // The client left: the rest of the response is dropped here, not failed write by write.
            frame.release();
            return;
        }
        if (fromBackend && shift != 0) {
            Packets.setSequenceId(frame, (Packets.sequenceId(frame) + shift) & 0xff);
        }
        nextSequence = (Packets.sequenceId(frame) + 1) & 0xff;
        client.write(frame, client.voidPromise());
    }

    @Override
    public void flush() {
        client.flush();
        if (!client.isWritable()) {
            session.clientBackpressure();
        }
    }

    @Override
    public void onBackendLost(BackendConnection backend, Throwable cause) {
        int sequence = nextSequence;
        // The response ends here, with the client's ERR; the next one, from another backend, starts afresh (no
        // shift, no EOF still to be inserted).
        endResponse();
        session.backendLost(backend, cause, sequence);
    }
}
