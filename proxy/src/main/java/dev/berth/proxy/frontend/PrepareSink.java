package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.StmtPrepareOk;
import dev.berth.mysql.message.command.StatementIds;
import dev.berth.mysql.response.PacketKind;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.ResponseSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Transaction pool mode: the answer to a client's COM_STMT_PREPARE on its way to the client. The server's statement
 * id becomes the one Berth issued to the client, and the answer is kept ({@link PreparedResponses.Answer}) for the
 * command phase, which learns of it before the response's end is reported. On the backend's event loop.
 */
final class PrepareSink implements ResponseSink {
    /** Where the outcome goes: the server's id and the answer, or an ERR's (both null). */
    interface Outcome {
        void prepared(BackendConnection backend, long serverId, PreparedResponses.Answer answer);
    }

    private final ClientResponseWriter writer;
    private final long clientId;
    private final Outcome outcome;
    private StmtPrepareOk ok;
    private final List<byte[]> definitions = new ArrayList<>();

    PrepareSink(ClientResponseWriter writer, long clientId, Outcome outcome) {
        this.writer = writer;
        this.clientId = clientId;
        this.outcome = outcome;
    }

    @Override
    public void onFrame(BackendConnection backend, ByteBuf frame, PacketKind kind, boolean complete) {
        if (kind == PacketKind.PREPARE_OK) {
            ok = StmtPrepareOk.decode(Packets.payload(frame));
            StatementIds.rewrite(frame, clientId);
        } else if (ok != null && (kind == PacketKind.COLUMN_DEFINITION || kind == PacketKind.LAST_COLUMN_DEFINITION)) {
            definitions.add(ByteBufUtil.getBytes(Packets.payload(frame)));
        }
        if (complete) {
            if (kind == PacketKind.ERR || ok == null) {
                outcome.prepared(backend, -1, null);
            } else {
                outcome.prepared(backend, ok.statementId(), new PreparedResponses.Answer(ok.numColumns(),
                        ok.numParams(), ok.warningCount(), List.copyOf(definitions)));
            }
        }
        writer.onFrame(backend, frame, kind, complete);
    }

    @Override
    public void flush() {
        writer.flush();
    }

    @Override
    public void onBackendLost(BackendConnection backend, Throwable cause) {
        writer.onBackendLost(backend, cause);
    }
}
