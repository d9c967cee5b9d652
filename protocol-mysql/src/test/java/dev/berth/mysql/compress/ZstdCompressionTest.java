package dev.berth.mysql.compress;

import static dev.berth.mysql.compress.Wire.concat;
import static dev.berth.mysql.compress.Wire.drainInbound;
import static dev.berth.mysql.compress.Wire.drainOutbound;
import static dev.berth.mysql.compress.Wire.frame;
import static dev.berth.mysql.compress.Wire.header;
import static dev.berth.mysql.compress.Wire.stored;
import static dev.berth.mysql.compress.Wire.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.Zstd;
import dev.berth.mysql.TrackingAllocator;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.PacketFrameDecoder;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ResourceLeakDetector;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** zstd behind the same handlers: one standard zstd frame per compressed packet, as MySQL 8.0.18+ sends. */
class ZstdCompressionTest {
    private static ResourceLeakDetector.Level previousLevel;

    private final TrackingAllocator alloc = new TrackingAllocator();

    @BeforeAll
    static void paranoid() {
        previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterAll
    static void restore() {
        ResourceLeakDetector.setLevel(previousLevel);
    }

    @AfterEach
    void nothingLeaked() {
        alloc.assertAllReleased();
    }

    /**
     * What Berth sends is a zstd frame per compressed packet, of 64 KB at most, that any zstd reads, and Berth's
     * decoder reads it back as the same frames.
     */
    @Test
    void resultSetRoundTrip() {
        byte[][] frames = {frame(1, text(3000)), frame(2, text(70_000)), frame(3, new byte[] {(byte) 0xfe, 0, 0})};
        byte[] plain = concat(frames);
        EmbeddedChannel server = channel();
        server.writeOutbound(alloc.wrap(plain));
        List<byte[]> packets = drainOutbound(server);
        assertEquals(2, packets.size());
        int at = 0;
        for (int i = 0; i < packets.size(); i++) {
            byte[] packet = packets.get(i);
            int uncompressed = Math.min(65536, plain.length - at);
            assertArrayEquals(header(packet.length - 7, i, uncompressed), Arrays.copyOf(packet, 7));
            assertArrayEquals(Arrays.copyOfRange(plain, at, at + uncompressed),
                    Zstd.decompress(Arrays.copyOfRange(packet, 7, packet.length), uncompressed));
            at += uncompressed;
        }
        assertEquals(plain.length, at);

        EmbeddedChannel client = channel();
        for (byte[] packet : packets) {
            client.writeInbound(alloc.wrap(packet));
        }
        List<byte[]> read = drainInbound(client);
        assertEquals(3, read.size());
        for (int i = 0; i < frames.length; i++) {
            assertArrayEquals(frames[i], read.get(i));
        }
        assertFalse(server.finish());
        assertFalse(client.finish());
    }

    @Test
    void whatDoesNotShrinkIsStored() {
        byte[] random = new byte[1000];
        new Random(7).nextBytes(random);
        EmbeddedChannel ch = channel();
        ch.writeOutbound(alloc.wrap(random));
        assertArrayEquals(stored(0, random), drainOutbound(ch).get(0));
        assertFalse(ch.finish());
    }

    @Test
    void uncompressedLengthThatLiesIsMalformed() {
        byte[] query = frame(0, concat(new byte[] {0x03}, text(500)));
        byte[] zstd = Zstd.compress(query, 3);
        for (int lie : new int[] {query.length - 1, query.length + 1}) {
            EmbeddedChannel ch = channel();
            assertMalformed(ch, concat(header(zstd.length, 0, lie), zstd));
            assertFalse(ch.finish());
        }
        EmbeddedChannel honest = channel();
        honest.writeInbound(alloc.wrap(concat(header(zstd.length, 0, query.length), zstd)));
        assertArrayEquals(query, drainInbound(honest).get(0));
        assertFalse(honest.finish());
    }

    @Test
    void garbageIsMalformed() {
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);
        EmbeddedChannel ch = channel();
        assertMalformed(ch, concat(header(200, 0, 300), garbage));
        assertFalse(ch.finish());
    }

    private void assertMalformed(EmbeddedChannel ch, byte[] input) {
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(alloc.wrap(input)));
        assertInstanceOf(MalformedPacketException.class, e.getCause());
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast("frames", new PacketFrameDecoder(1 << 20));
        CompressionCodec.install(ch.pipeline(), "frames", CompressionAlgorithm.ZSTD, 3, 1 << 20);
        return ch;
    }
}
