package dev.berth.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.config.UserCredential;
import dev.berth.mysql.ParanoidLeakDetection;
import dev.berth.mysql.TrackingAllocator;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.HandshakeResponse41;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input on an admin connection gets an ERR and a close, and every buffer is released (leak detector PARANOID). */
@ExtendWith(ParanoidLeakDetection.class)
class AdminConnectionLeakTest {
    private final TrackingAllocator alloc = new TrackingAllocator();
    private EmbeddedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        channel = new EmbeddedChannel(false, false);
        channel.config().setAllocator(alloc);
        AdminServer.initPipeline(channel, UserCredential.parse("admin:pw"),
                statement -> CompletableFuture.completedFuture(new AdminResult.Done("")), 1);
        channel.register();
        ((ByteBuf) channel.readOutbound()).release(); // the greeting
    }

    @AfterEach
    void allReleased() {
        channel.finishAndReleaseAll();
        alloc.assertAllReleased();
    }

    @Test
    void garbage() {
        assertRefusedWith(1153, alloc.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aTruncatedHandshakeResponse() {
        assertRefusedWith(1043, frame(1, new byte[] {(byte) 0x0d, (byte) 0xa2, 0, 0, 0}));
    }

    @Test
    void anSslRequest() {
        ByteBuf request = alloc.heapBuffer();
        HandshakeResponse41.writeFixedPart(request, Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_SSL, 0, 45);
        assertRefusedWith(1043, frame(1, bytes(request)));
    }

    @Test
    void aFrameSplitAcrossReadsThenTooLong() {
        ByteBuf header = alloc.heapBuffer().writeMediumLE(AdminServer.MAX_PACKET + 1);
        assertFalse(channel.writeInbound(header));
        assertRefusedWith(1153, alloc.wrap(new byte[] {1, 2, 3}));
    }

    private void assertRefusedWith(int code, ByteBuf input) {
        channel.writeInbound(input);
        channel.runPendingTasks();
        ByteBuf err = channel.readOutbound();
        try {
            assertEquals(code, ErrPacket.decode(Packets.payload(err)).code());
        } finally {
            err.release();
        }
        assertNull(channel.readOutbound());
        assertFalse(channel.isActive());
    }

    private ByteBuf frame(int sequence, byte[] payload) {
        return alloc.heapBuffer().writeMediumLE(payload.length).writeByte(sequence).writeBytes(payload);
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes).release();
        return bytes;
    }
}
