package dev.berth.mysql.codec;

import static dev.berth.mysql.Golden.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.ParanoidLeakDetection;
import dev.berth.mysql.TrackingAllocator;
import dev.berth.mysql.fuzz.Generator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Streams of valid, mutated and random frames, some headers lying about their length, cut into reads at random
 * points, through {@link PacketFrameDecoder} under several bounds. Whatever comes in, the decoder emits exactly the
 * frames a simple model of it finds, fails with {@link PacketTooLargeException} exactly where the model does and
 * with nothing else, and releases every buffer.
 */
@ExtendWith(ParanoidLeakDetection.class)
class PacketFrameDecoderFuzzTest {
    private static final long PACKETS = Generator.packets(400_000);
    private static final List<byte[]> VALID = Arrays.stream(PacketFrameDecoderTest.FRAMES)
            .map(frame -> Arrays.copyOfRange(frame, Packets.HEADER_SIZE, frame.length))
            .toList();
    /** The handshake's bound, a middling one, the command phase's default and the backend's (none). */
    private static final long[] BOUNDS = {64, 1024, 1 << 16, 1 << 24, Long.MAX_VALUE};

    private final Generator g = new Generator();
    private final TrackingAllocator alloc = new TrackingAllocator();

    @Test
    void randomAndMutatedStreams() throws InterruptedException {
        g.run("PacketFrameDecoder", PACKETS, () -> {
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 1 + g.nextInt(8); i > 0; i--) {
                payloads.add(g.oneIn(50_000) ? Generator.fullFrame(g.packet(VALID))
                        : g.oneIn(64) ? g.randomBytes(70_000) : g.packet(VALID));
            }
            byte[] frames = g.frames(payloads, g.oneIn(2));
            byte[] stream = g.oneIn(4) ? g.mutate(frames) : frames;
            g.feeding(stream, payloads.size());
            decode(stream, BOUNDS[g.nextInt(BOUNDS.length)]);
        });
    }

    private void decode(byte[] stream, long bound) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new PacketFrameDecoder(bound));
        ByteArrayOutputStream emitted = new ByteArrayOutputStream();
        PacketTooLargeException tooLarge = null;
        for (byte[] read : g.reads(stream)) {
            try {
                ch.writeInbound(alloc.wrap(read));
            } catch (PacketTooLargeException e) {
                assertNull(tooLarge, "failed twice");
                tooLarge = e;
            }
            ByteBuf frame;
            while ((frame = ch.readInbound()) != null) {
                try {
                    assertEquals(Packets.HEADER_SIZE + Packets.payloadLength(frame), frame.readableBytes());
                    emitted.writeBytes(bytes(frame));
                } finally {
                    frame.release();
                }
            }
        }
        assertFalse(ch.finish());
        alloc.assertAllReleased();

        // The model: frame after frame while whole, until a header takes its logical packet past the bound.
        int end = 0;
        long logicalPacket = 0;
        while (stream.length - end >= Packets.HEADER_SIZE) {
            int length = (stream[end] & 0xff) | (stream[end + 1] & 0xff) << 8 | (stream[end + 2] & 0xff) << 16;
            logicalPacket += length;
            if (logicalPacket > bound) {
                assertEquals(logicalPacket, tooLarge == null ? -1 : tooLarge.announced(), "the packet to refuse");
                break;
            }
            if (stream.length - end < Packets.HEADER_SIZE + length) {
                break;
            }
            logicalPacket = length == Packets.MAX_PAYLOAD ? logicalPacket : 0;
            end += Packets.HEADER_SIZE + length;
        }
        if (tooLarge != null) {
            assertTrue(logicalPacket > bound, "failed without cause");
        }
        assertArrayEquals(Arrays.copyOf(stream, end), emitted.toByteArray(), "emitted other than the model's frames");
    }
}
