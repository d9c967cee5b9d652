package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.mysql.Golden;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.fuzz.Generator;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Valid, mutated and random payloads through every decoder of the connection phase, both sides: what a client sends
 * Berth (SSLRequest, HandshakeResponse41) and what a server sends it (HandshakeV10, AuthSwitchRequest,
 * AuthMoreData, OK with its session state, ERR, EOF). Each decoder either decodes or throws
 * {@link MalformedPacketException}, and none retains or releases the payload. (They allocate no buffers, so the
 * reference count tells all about leaks here; Netty's paranoid detector would only slow the run down.)
 */
class HandshakeFuzzTest {
    private static final long PACKETS = Generator.packets(600_000);
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
