package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.Golden;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.fuzz.Generator;
import dev.berth.mysql.message.SessionTrackSettings.TransactionInfo;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Valid, mutated and random payloads through every decoder of the connection phase, both sides: what a client sends
 * Berth (SSLRequest, HandshakeResponse41) and what a server sends it (HandshakeV10, AuthSwitchRequest,
 * AuthMoreData, OK with its session state, ERR, EOF); and session-state blocks of their own through
 * {@link SessionStateInfo}. Each decoder either decodes or throws {@link MalformedPacketException}, and none
 * retains or releases the payload. (They allocate no buffers, so the reference count tells all about leaks here;
 * Netty's paranoid detector would only slow the run down.)
 */
class HandshakeFuzzTest {
    private static final long PACKETS = Generator.packets(600_000);
    private static final long BLOCKS = Generator.packets(300_000);
    private static final List<String> VARIABLES = List.of("autocommit", "time_zone", "sql_mode",
            "character_set_client");
    private static final long[] OK_CAPABILITIES = {Capabilities.CLIENT_PROTOCOL_41,
        Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SESSION_TRACK};
    /** Capabilities that change the response's layout; CLIENT_SSL makes a 32-byte one an SSLRequest. */
    private static final long[] RESPONSE_FLAGS = {Capabilities.CLIENT_CONNECT_WITH_DB, Capabilities.CLIENT_PLUGIN_AUTH,
        Capabilities.CLIENT_CONNECT_ATTRS, Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, Capabilities.CLIENT_SSL,
        Capabilities.CLIENT_DEPRECATE_EOF, Capabilities.CLIENT_SESSION_TRACK};

    private final Generator g = new Generator();
    private final List<Consumer<ByteBuf>> decoders = List.of(
            HandshakeResponse41::isSslRequest,
            HandshakeResponse41::decode,
            HandshakeV10::decode,
            AuthSwitchRequest::decode,
            AuthMoreData::decode,
            ErrPacket::decode,
            EofPacket::decode,
            OkPacket::hasTrailer,
            payload -> {
                OkPacket ok = OkPacket.decode(payload, OK_CAPABILITIES[g.nextInt(OK_CAPABILITIES.length)]);
                if (ok.sessionState() != null) {
                    SessionStateInfo.schema(ok.sessionState());
                }
            });

    @Test
    void randomAndMutatedPayloads() throws InterruptedException {
        List<byte[]> valid = new ArrayList<>();
        for (String golden : List.of(HandshakeV10Test.MARIADB_GREETING, HandshakeResponse41Test.CONNECTOR_J_RESPONSE,
                HandshakeResponse41Test.SSL_REQUEST, AuthSwitchRequestTest.SWITCH_TO_NATIVE, "01 03", "01 04",
                OkPacketTest.UPDATE_OK, OkPacketTest.USE_SHOP_OK, ErrPacketTest.NO_SUCH_TABLE,
                EofPacketTest.EOF_MORE_RESULTS)) {
            valid.add(hex(golden));
        }
        for (int i = 0; i < 100; i++) {
            valid.add(encoded(greeting()::encode));
            valid.add(encoded(handshakeResponse()::encode));
        }
        g.run("Handshake decoders", PACKETS, () -> {
            byte[] payload = g.packet(valid);
            g.feeding(payload, 1);
            decode(payload);
        });
    }

    private void decode(byte[] bytes) {
        ByteBuf payload = Unpooled.wrappedBuffer(bytes);
        for (Consumer<ByteBuf> decoder : decoders) {
            try {
                decoder.accept(payload.duplicate());
            } catch (MalformedPacketException expected) {
                // the codec's own
            }
        }
        assertEquals(1, payload.refCnt(), "a decoder kept or released the payload");
        payload.release();
    }

    /**
     * Recorded, random well-formed, mutated and random session-state blocks through {@link SessionStateInfo}, with
     * random settings. A block that decodes gives its values without throwing, encodes to the same entries, and shows
     * a client what {@link SessionStateInfo#shownTo(SessionTrackSettings)} says: the same array, null or the shown
     * entries' bytes. One that does not decode makes the static shownTo throw too.
     */
    @Test
    void sessionStateBlocks() throws InterruptedException {
        List<byte[]> valid = new ArrayList<>();
        for (String golden : List.of(SessionStateInfoTest.USE_MYSQL, SessionStateInfoTest.AUTOCOMMIT_OFF,
                SessionStateInfoTest.SQL_MODE_EMPTY, SessionStateInfoTest.TRANSACTION_INFO_ON,
                SessionStateInfoTest.READ_ONLY_TRANSACTION, SessionStateInfoTest.GTIDS_BLOCK,
                SessionStateInfoTest.UNKNOWN_TYPE)) {
            valid.add(hex(golden));
        }
        for (int i = 0; i < 100; i++) {
            valid.add(sessionState());
        }
        g.run("Session state", BLOCKS, () -> {
            byte[] block = g.packet(valid);
            g.feeding(block, 1);
            checkSessionState(block, trackSettings());
        });
    }

    private static void checkSessionState(byte[] block, SessionTrackSettings settings) {
        try {
            SessionStateInfo.schema(block);
        } catch (MalformedPacketException expected) {
            // the codec's own
        }
        SessionStateInfo info;
        try {
            info = SessionStateInfo.decode(block);
        } catch (MalformedPacketException e) {
            assertThrows(MalformedPacketException.class, () -> SessionStateInfo.shownTo(block, settings));
            return;
        }
        info.systemVariables();
        info.schema();
        info.stateChanged();
        info.transactionState();
        info.transactionCharacteristics();
        assertEquals(info, SessionStateInfo.decode(info.encode())); // the bytes may differ: lengths are written short

        SessionStateInfo shown = info.shownTo(settings);
        byte[] shownBytes = SessionStateInfo.shownTo(block, settings);
        if (shown.entries().isEmpty()) {
            assertNull(shownBytes);
        } else if (shown == info) {
            assertSame(block, shownBytes);
        } else {
            assertEquals(shown, SessionStateInfo.decode(shownBytes));
        }
    }

    /** One to five entries of any type, each well formed; values now and then long enough for a 0xFC length. */
    private byte[] sessionState() {
        ByteBuf block = Unpooled.buffer();
        for (int i = 1 + g.nextInt(5); i > 0; i--) {
            int type = g.oneIn(8) ? 6 + g.nextInt(250) : g.nextInt(6);
            ByteBuf data = Unpooled.buffer();
            switch (type) {
                case SessionStateInfo.SYSTEM_VARIABLES -> {
                    MysqlBuffers.writeLenencString(data, g.pick(VARIABLES));
                    MysqlBuffers.writeLenencString(data, text(g.oneIn(10) ? 400 : 20));
                }
                case SessionStateInfo.STATE_CHANGE -> data.writeByte('1');
                case SessionStateInfo.GTIDS -> {
                    data.writeByte(0);
                    MysqlBuffers.writeLenencString(data, text(60));
                }
                case SessionStateInfo.SCHEMA, SessionStateInfo.TRANSACTION_CHARACTERISTICS,
                        SessionStateInfo.TRANSACTION_STATE -> MysqlBuffers.writeLenencString(data, text(80));
                default -> data.writeBytes(g.randomBytes(10));
            }
            block.writeByte(type);
            MysqlBuffers.writeLenencBytes(block, Golden.bytes(data));
            data.release();
        }
        byte[] bytes = Golden.bytes(block);
        block.release();
        return bytes;
    }

    private SessionTrackSettings trackSettings() {
        Set<String> names = new HashSet<>();
        for (String name : VARIABLES) {
            if (g.oneIn(3)) {
                names.add(name);
            }
        }
        if (g.oneIn(8)) {
            names.add("*");
        }
        TransactionInfo[] levels = TransactionInfo.values();
        return new SessionTrackSettings(names, g.oneIn(2), g.oneIn(2), levels[g.nextInt(levels.length)]);
    }

    /** A greeting as a server could send it: any version, capabilities, seed and plugin. */
    private HandshakeV10 greeting() {
        long capabilities = g.nextInt(1 << 16) | (long) g.nextInt(1 << 16) << 16 | Capabilities.CLIENT_PROTOCOL_41
                | Capabilities.CLIENT_SECURE_CONNECTION | Capabilities.CLIENT_PLUGIN_AUTH;
        return new HandshakeV10(text(30), g.nextInt(Integer.MAX_VALUE), nonZero(20), capabilities, g.nextInt(256),
                g.nextInt(1 << 16), text(25));
    }

    /** A response as a client could send it, with any of the flags that change its layout. */
    private HandshakeResponse41 handshakeResponse() {
        long capabilities = Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SECURE_CONNECTION;
        for (long flag : RESPONSE_FLAGS) {
            if (g.oneIn(2)) {
                capabilities |= flag;
            }
        }
        Map<String, String> attributes = g.oneIn(2) ? Map.of()
                : Map.of("_client_name", text(20), "program_name", text(30));
        return new HandshakeResponse41(capabilities, g.nextInt(Integer.MAX_VALUE), g.nextInt(256), text(16),
                g.randomBytes(40), text(16), text(25), attributes);
    }

    /** Printable ASCII (no NUL), up to {@code max} characters. */
    private String text(int max) {
        byte[] bytes = new byte[g.nextInt(max + 1)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (0x20 + g.nextInt(0x5f));
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private byte[] nonZero(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (1 + g.nextInt(255));
        }
        return bytes;
    }

    private static byte[] encoded(Consumer<ByteBuf> encode) {
        ByteBuf out = Unpooled.buffer();
        encode.accept(out);
        byte[] bytes = Golden.bytes(out);
        out.release();
        return bytes;
    }
}
