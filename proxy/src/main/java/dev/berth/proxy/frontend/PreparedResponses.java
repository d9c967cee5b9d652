package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.EofPacket;
import dev.berth.mysql.message.StmtPrepareOk;
import dev.berth.proxy.backend.ServerStatements;
import dev.berth.proxy.pool.PoolKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Transaction pool mode: the server's answers to COM_STMT_PREPARE, kept so that preparing a statement again (the
 * go-sql-driver pattern prepares, executes and closes for every parameterised query) is answered by Berth without a
 * round trip; the statement itself is prepared on a backend connection only when it runs there. Keyed by the server
 * account too (what an account may prepare is the server's to say). Bounded, least recently used first out, and
 * emptied when a client changes the schema of any table (DDL), after which the metadata may differ. Shared by every
 * client.
 */
final class PreparedResponses {
    static final int LIMIT = 4096;

    /** One answer: counts, warnings and the parameter and column definitions' payloads. */
    record Answer(int columns, int parameters, int warnings, List<byte[]> definitions) {
        /**
         * Writes the answer for a client, with its statement id, from sequence id 1; EOF packets after each block of
         * definitions for a client without CLIENT_DEPRECATE_EOF.
         */
        void write(long statementId, boolean deprecateEof, int status, ByteBufAllocator alloc, Consumer<ByteBuf> out) {
            int sequence = 1;
            ByteBuf ok = Packets.start(alloc);
            new StmtPrepareOk(statementId, columns, parameters, warnings).encode(ok);
            out.accept(Packets.finish(ok, sequence++));
            sequence = block(definitions.subList(0, parameters), sequence, deprecateEof, status, alloc, out);
            block(definitions.subList(parameters, definitions.size()), sequence, deprecateEof, status, alloc, out);
        }

        private static int block(List<byte[]> payloads, int sequence, boolean deprecateEof, int status,
                                 ByteBufAllocator alloc, Consumer<ByteBuf> out) {
            for (byte[] payload : payloads) {
                ByteBuf frame = Packets.start(alloc);
                frame.writeBytes(payload);
                out.accept(Packets.finish(frame, sequence++));
            }
            if (!payloads.isEmpty() && !deprecateEof) {
                ByteBuf eof = Packets.start(alloc);
                new EofPacket(0, status).encode(eof);
                out.accept(Packets.finish(eof, sequence++));
            }
            return sequence;
        }
    }

    private record Key(PoolKey account, ServerStatements.Key statement) {
    }

    private final Map<Key, Answer> answers = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Answer> eldest) {
            return size() > LIMIT;
        }
    };

    synchronized Answer get(PoolKey account, ServerStatements.Key statement) {
        return answers.get(new Key(account, statement));
    }

    synchronized void put(PoolKey account, ServerStatements.Key statement, Answer answer) {
        answers.put(new Key(account, statement), answer);
    }

    /** A table's definition may have changed: every answer may be stale. */
    synchronized void clear() {
        answers.clear();
    }
}
