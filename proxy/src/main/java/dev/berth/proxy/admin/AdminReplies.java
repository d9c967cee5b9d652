package dev.berth.proxy.admin;

import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.OkPacket;
import dev.berth.mysql.message.TextResultSet;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.proxy.frontend.ErrFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;

/** The frames of an {@link AdminResult}: a text result set, an OK or an ERR. */
final class AdminReplies {
    /** The console has no transactions: every answer says autocommit. */
    static final int STATUS = ServerStatus.AUTOCOMMIT;
    private static final String UNKNOWN_SQL_STATE = "HY000";

    private AdminReplies() {
    }

    /**
     * @param sequence the first frame's sequence id: the request's plus one
     */
    static ByteBuf frames(ByteBufAllocator alloc, AdminResult result, int sequence, long clientCapabilities) {
        if (result instanceof AdminResult.Rows rows) {
            ByteBuf out = alloc.buffer();
            try {
                TextResultSet.ofStrings("", rows.columns(), rows.rows())
                        .encode(out, sequence, clientCapabilities, STATUS);
                return out;
            } catch (RuntimeException e) { // rows of the wrong width, or one too big for a frame
                out.release();
                return frames(alloc, fault(e), sequence, clientCapabilities);
            }
        }
        if (result instanceof AdminResult.Done done) {
            byte[] info = done.info() == null ? new byte[0] : done.info().getBytes(StandardCharsets.UTF_8);
            return ErrFrames.of(alloc, sequence, new OkPacket(OkPacket.HEADER, 0, 0, STATUS, 0, info, null),
                    clientCapabilities);
        }
        AdminResult.Failure failure = (AdminResult.Failure) result;
        String state = failure.sqlState() != null && failure.sqlState().length() == 5 ? failure.sqlState()
                : UNKNOWN_SQL_STATE;
        return ErrFrames.of(alloc, sequence, new ErrPacket(failure.code(), state, String.valueOf(failure.message())));
    }

    /** What a client is told when the commands failed instead of answering. */
    static AdminResult.Failure fault(Throwable cause) {
        Throwable fault = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        String what = fault.getMessage() != null ? fault.getMessage() : fault.getClass().getSimpleName();
        return new AdminResult.Failure(ErrorCode.INTERNAL_ERROR.code(), ErrorCode.INTERNAL_ERROR.sqlState(),
                "berth admin console: the statement failed: " + what);
    }
}
