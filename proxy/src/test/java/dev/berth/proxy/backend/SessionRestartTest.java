package dev.berth.proxy.backend;

import static dev.berth.mysql.Golden.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.HandshakeV10Test;
import dev.berth.mysql.message.command.ComChangeUser;
import dev.berth.proxy.cli.VersionProvider;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session restart (COM_CHANGE_USER) carries connection attributes: a client's, with Berth's under its own keys, or
 * Berth's own again; the connection remembers which, so the pool can take a client's back off it.
 */
class SessionRestartTest {
    private BackendConnection backend;
    private EmbeddedChannel server;

    @BeforeEach
    void login() {
        backend = EmbeddedBackend.loggedIn(HandshakeV10Test.MARIADB_GREETING);
        server = (EmbeddedChannel) backend.channel();
    }

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
    }

    @Test
    void aClientsAttributesGoToTheServerWithBerthsUnderItsOwnKeys() {
        Map<String, String> client = new LinkedHashMap<>();
        client.put("_client_name", "MariaDB Connector/J");
        client.put("program_name", "billing");
        client.put("_berth_version", "spoofed"); // a client does not speak for Berth
        Map<String, String> attributes = BackendAttributes.forClient(client, 42, "10.1.2.3");

        assertFalse(backend.carriesClientAttributes());
        Promise<Void> done = server.eventLoop().newPromise();
        SessionRestart.run(backend, 45, attributes, done);
        ComChangeUser sent = sentChangeUser();
        assertEquals(List.of("_client_name=MariaDB Connector/J", "program_name=billing",
                "_berth_version=" + VersionProvider.version(), "_berth_connection_id=42",
                "_berth_client_host=10.1.2.3"), entries(sent.attributes()));
        assertEquals("", sent.database());

        server.writeInbound(frame(1, EmbeddedBackend.LOGIN_OK));
        assertTrue(done.isSuccess());
        assertTrue(backend.carriesClientAttributes());
        assertEquals(attributes, backend.attributes());

        Promise<Void> back = server.eventLoop().newPromise();
        SessionRestart.toLogin(backend, back);
        assertEquals(List.of("_client_name=berth", "program_name=berth", "_berth_version=" + VersionProvider.version()),
                entries(sentChangeUser().attributes()));
        server.writeInbound(frame(1, EmbeddedBackend.LOGIN_OK));
        assertTrue(back.isSuccess());
        assertFalse(backend.carriesClientAttributes());
    }

    private ComChangeUser sentChangeUser() {
        ByteBuf frame = server.readOutbound();
        try {
            return ComChangeUser.decode(Packets.payload(frame), backend.capabilities());
        } finally {
            frame.release();
            assertNull(server.readOutbound());
        }
    }

    private static List<String> entries(Map<String, String> attributes) {
        return attributes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }
}
