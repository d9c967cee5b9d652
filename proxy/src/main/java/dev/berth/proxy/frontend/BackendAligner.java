package dev.berth.proxy.frontend;

import dev.berth.mysql.message.ErrPacket;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.InternalCommand;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a backend connection to a client's view of its session (character set, multi-statements, schema) with as
 * few commands as it takes, none when the connection already matches, and completes a future once the server has
 * answered them all, so that no client command runs in the wrong session.
 *
 * <p>The future fails with {@link AlignmentFailure} when the server refused the schema (the client gets that ERR) or
 * the connection was lost. A character set the server does not know keeps the server's default, as a direct login
 * with that collation id would.
 */
final class BackendAligner {
    private static final Logger log = LoggerFactory.getLogger(BackendAligner.class);

    private BackendAligner() {
    }

    /** Why a connection could not be aligned: the ERR to give the client. */
    static final class AlignmentFailure extends Exception {
        private final transient ErrPacket error;

        AlignmentFailure(ErrPacket error) {
            super(error.toString(), null, false, false);
            this.error = error;
        }

        ErrPacket error() {
            return error;
        }
    }

    private record Step(io.netty.buffer.ByteBuf frame, InternalCommand.Callback onResult) {
    }

    static Future<Void> align(ClientSession session, BackendConnection b, Promise<Void> aligned) {
        List<Step> steps = new ArrayList<>(3);
        int charset = session.characterSet();
        if (b.characterSet() != charset) {
            String sql = "SET character_set_client=" + charset + ", character_set_results=" + charset
                    + ", collation_connection=" + charset;
            steps.add(new Step(InternalCommand.query(b.channel().alloc(), sql), (c, error, lost) -> {
                if (error == null && lost == null) {
                    c.characterSet(charset);
                } else if (error != null) {
                    log.debug("{} keeps its character set: {}", c, error);
                }
            }));
        }
        int multiStatements = session.multiStatements() ? 1 : 0;
        if (b.multiStatements() != multiStatements) {
            steps.add(new Step(InternalCommand.setMultiStatements(b.channel().alloc(), multiStatements == 1),
                    (c, error, lost) -> {
                        if (error != null || lost != null) {
                            c.multiStatements(-1);
                        }
                    }));
        }
        String schema = session.schema();
        if (schema != null && !schema.equals(b.schema())) {
            steps.add(new Step(InternalCommand.initDb(b.channel().alloc(), schema), (c, error, lost) -> {
                if (error == null && lost == null) {
                    c.schema(schema);
                } else if (error != null) {
                    aligned.tryFailure(new AlignmentFailure(error));
                }
            }));
        }
        if (steps.isEmpty()) {
            aligned.trySuccess(null);
            return aligned;
        }
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            boolean last = i == steps.size() - 1;
            InternalCommand.send(b, step.frame(), (c, error, lost) -> {
                step.onResult().onResult(c, error, lost);
                if (lost != null) {
                    aligned.tryFailure(new AlignmentFailure(ClientErrors.lostError(lost)));
                } else if (last) {
                    aligned.trySuccess(null);
                }
            }, last);
        }
        return aligned;
    }
}
