package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.ClientLimitsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LoginGuard} in front of a stand-in for the rest of the pipeline, on embedded channels: admission, the shared
 * handshake memory and who is refused when it is full.
 */
class LoginGuardTest {
    private static final long MB = 1 << 20;

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** Stands in for the frame decoder and handshake handler: counts what reaches it. */
    private static final class Rest extends ChannelInboundHandlerAdapter {
        boolean active;
        long bytes;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytes += ((ByteBuf) msg).readableBytes();
            ((ByteBuf) msg).release();
        }
    }

    private static ClientLimits limits(int maxClientConns, long maxHandshakeMemory) {
        return new ClientLimits(new ClientLimitsConfig(maxClientConns, 0, maxHandshakeMemory, 0, Duration.ofMinutes(1)));
    }

    private EmbeddedChannel connect(ClientLimits limits, Rest rest) {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(LoginGuard.NAME, new LoginGuard(limits)).addLast(rest);
            }
        });
        channels.add(channel);
        return channel;
    }

    /** The start of an 8,000-byte handshake response that never ends. */
    private static ByteBuf partialPacket() {
        byte[] bytes = new byte[8004 - 1];
        bytes[0] = (byte) 8000;
        bytes[1] = (byte) (8000 >> 8);
        bytes[3] = 1;
        return Unpooled.wrappedBuffer(bytes);
    }

    /** The ERR a refused channel got, as "code message". */
    private static String refusal(EmbeddedChannel channel) {
        ByteBuf frame = channel.readOutbound();
        try {
            assertEquals(0xff, frame.getUnsignedByte(4), "an ERR packet");
            int code = frame.getUnsignedShortLE(5);
            String message = frame.toString(4 + 9, frame.readableBytes() - 13, StandardCharsets.UTF_8);
            return code + " " + message;
        } finally {
            frame.release();
        }
    }

    @Test
    void whenLoginsHoldTooMuchTheOldestAreRefusedAndEveryNewOneGetsIn() {
        ClientLimits limits = limits(1000, MB);
        HandshakeMemory memory = limits.handshakeMemory();
        List<EmbeddedChannel> clients = new ArrayList<>();
        for (int i = 0; i < 102; i++) {
            EmbeddedChannel client = connect(limits, new Rest());
            client.writeInbound(partialPacket());
            clients.add(client);
        }
        // Each is charged 2 KB plus 8,003 bytes rounded up to 8 KB: 102 fit in 1 MB, the 103rd does not.
        assertEquals(102 * (2048 + 8192), memory.charged());
        assertTrue(clients.stream().allMatch(EmbeddedChannel::isOpen));

        Rest newest = new Rest();
        EmbeddedChannel last = connect(limits, newest);
        last.writeInbound(partialPacket());

        assertFalse(clients.get(0).isOpen(), "the oldest login made room");
        assertTrue(refusal(clients.get(0)).startsWith("1040 berth: too many clients logging in at once "
                + "(--max-handshake-memory 1M held for them)"));
        assertTrue(clients.get(1).isOpen());
        assertTrue(last.isOpen());
        assertEquals(8003, newest.bytes);
        assertEquals(102, memory.loggingIn());
        assertTrue(memory.charged() <= MB, memory.charged() + " bytes charged");
        assertEquals(1, memory.evictions());
    }

    @Test
    void aLoginOrACloseGivesItsChargeBack() {
        ClientLimits limits = limits(1000, MB);
        HandshakeMemory memory = limits.handshakeMemory();
        EmbeddedChannel a = connect(limits, new Rest());
        EmbeddedChannel b = connect(limits, new Rest());
        a.writeInbound(Unpooled.wrappedBuffer(new byte[300]));
        assertEquals(2048 + 512 + 2048, memory.charged());

        LoginGuard.loggedIn(a.pipeline());
        assertNull(a.pipeline().get(LoginGuard.NAME));
        assertEquals(2048, memory.charged());
        b.close();
        assertEquals(0, memory.charged());
        assertEquals(0, memory.loggingIn());
    }

    @Test
    void aClientThatSendsMoreThanALoginTakesIsRefused() {
        ClientLimits limits = limits(1000, MB);
        Rest rest = new Rest();
        EmbeddedChannel client = connect(limits, rest);
        for (int i = 0; i < 40 && client.isOpen(); i++) {
            client.writeInbound(Unpooled.wrappedBuffer(new byte[1024]));
        }
        assertEquals(HandshakeMemory.MAX_LOGIN_BYTES, rest.bytes, "nothing past the limit is passed on");
        assertEquals("1043 berth: more than 32 KB sent without logging in", refusal(client));
        assertFalse(client.isOpen());
        assertEquals(0, limits.handshakeMemory().charged());
    }

    @Test
    void pastMaxClientConnsANewClientIsRefusedBeforeItIsGreeted() {
        ClientLimits limits = limits(2, MB);
        EmbeddedChannel a = connect(limits, new Rest());
        connect(limits, new Rest());
        Rest third = new Rest();
        EmbeddedChannel refused = connect(limits, third);

        assertEquals("1040 berth: too many connections: 2 clients are connected, the most --max-client-conns allows",
                refusal(refused));
        assertFalse(refused.isOpen());
        assertFalse(third.active, "the handshake never starts");
        assertEquals(2, limits.clientConns());

        a.close();
        assertEquals(1, limits.clientConns());
        assertTrue(connect(limits, new Rest()).isOpen());
    }
}
