package dev.berth.proxy.frontend;

import static dev.berth.mysql.Golden.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.HandshakeV10Test;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.EmbeddedBackend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link BackendAligner} sends a session-mode connection, and what it waits for before the client's command. */
class BackendAlignerTest {
    private static final int LATIN1_SWEDISH_CI = 8;
    private static final String OK = "00 00 00 02 00 00 00";

    private final BackendConnection backend = EmbeddedBackend.loggedIn(HandshakeV10Test.MARIADB_GREETING);
    private final EmbeddedChannel server = (EmbeddedChannel) backend.channel();
    private final ClientSession session = new ClientSession(7, new EmbeddedChannel());

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
    }

    private Future<Void> align(int characterSet) {
        session.capabilities(Capabilities.CLIENT_MULTI_STATEMENTS);
        session.loggedIn("app", characterSet, null);
        Future<Void> aligned = new BackendAligner(false).align(session, backend, server.eventLoop().newPromise());
        server.runPendingTasks();
        return aligned;
    }

    /** The next statement Berth sent the server, as text. */
    private String sentQuery() {
        ByteBuf frame = server.readOutbound();
        try {
            ByteBuf payload = Packets.payload(frame);
            return payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1, StandardCharsets.UTF_8);
        } finally {
            frame.release();
        }
    }

    @Test
    void aConnectionInTheClientsCharacterSetGetsOnlyTheConnectionIdAndNoWait() {
        Future<Void> aligned = align(backend.characterSet());
        assertTrue(aligned.isSuccess(), "the client's command goes right behind the SET");
        backend.send(frame(0, "03 53 45 4c 45 43 54 20 31"), -1, null, true); // the client's SELECT 1
        assertEquals("SET pseudo_thread_id=7", sentQuery());
        assertEquals("SELECT 1", sentQuery());
        assertNull(server.readOutbound());
        server.writeInbound(frame(1, OK));
        assertEquals(7, backend.pseudoThreadId());
    }

    @Test
    void anotherCharacterSetIsAnsweredBeforeTheClientsCommand() {
        Future<Void> aligned = align(LATIN1_SWEDISH_CI);
        assertFalse(aligned.isDone());
        assertEquals("SET character_set_client=8, character_set_results=8, collation_connection=8, "
                + "pseudo_thread_id=7", sentQuery());
        server.writeInbound(frame(1, OK));
        assertTrue(aligned.isSuccess());
        assertEquals(LATIN1_SWEDISH_CI, backend.characterSet());
    }

    @Test
    void aConnectionAlreadyInTheClientsSessionGetsNothing() {
        backend.pseudoThreadId(7);
        assertTrue(align(backend.characterSet()).isSuccess());
        assertNull(server.readOutbound());
    }
}
