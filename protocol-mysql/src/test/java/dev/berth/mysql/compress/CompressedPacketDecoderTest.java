package dev.berth.mysql.compress;

import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.compress.Wire.compressed;
import static dev.berth.mysql.compress.Wire.concat;
import static dev.berth.mysql.compress.Wire.drainInbound;
import static dev.berth.mysql.compress.Wire.frame;
import static dev.berth.mysql.compress.Wire.header;
import static dev.berth.mysql.compress.Wire.stored;
import static dev.berth.mysql.compress.Wire.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.TrackingAllocator;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.PacketTooLargeException;
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

/** The decoder in front of the frame decoder, as in the proxy: compressed bytes in, MySQL frames out. */
class CompressedPacketDecoderTest {
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

    /** Every input buffer, every inflated buffer and every cumulation was released. */
    @AfterEach
    void nothingLeaked() {
        alloc.assertAllReleased();
    }

    @Test
    void readsTheRealClientsStoredQuery() {
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeInbound(alloc.wrap(MariaDbCapture.CLIENT_QUERY));
        List<byte[]> frames = drainInbound(ch);
        assertEquals(1, frames.size());
        assertArrayEquals(hex("09 00 00 00 03 'select 1'"), frames.get(0));
        assertFalse(ch.finish());
    }

    @Test
    void readsTheRealServersResultSetAsFiveFrames() {
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeInbound(alloc.wrap(MariaDbCapture.SERVER_RESULT));
        assertFramesEqual(MariaDbCapture.RESULT_FRAMES, drainInbound(ch));
        assertFalse(ch.finish());
    }

    @Test
    void realExchangeFedOneByteAtATime() {
        EmbeddedChannel ch = channel(1 << 20);
        byte[] stream = concat(MariaDbCapture.CLIENT_QUERY, MariaDbCapture.SERVER_RESULT, MariaDbCapture.CLIENT_QUIT);
        List<byte[]> frames = new java.util.ArrayList<>();
        for (byte b : stream) {
            ch.writeInbound(alloc.wrap(new byte[] {b}));
            frames.addAll(drainInbound(ch));
        }
        assertEquals(7, frames.size());
        assertArrayEquals(hex("09 00 00 00 03 'select 1'"), frames.get(0));
        assertFramesEqual(MariaDbCapture.RESULT_FRAMES, frames.subList(1, 6));
        assertArrayEquals(hex("01 00 00 00 01  # COM_QUIT"), frames.get(6));
        assertFalse(ch.finish());
    }

    /** A 40 000-byte packet sent as a compressed, a stored and a compressed piece. */
    @Test
    void oneMysqlPacketAcrossThreeCompressedPackets() {
        byte[] packet = frame(0, concat(new byte[] {0x03}, text(39_999)));
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeInbound(alloc.wrap(concat(
                compressed(0, Arrays.copyOfRange(packet, 0, 10_000)),
                stored(1, Arrays.copyOfRange(packet, 10_000, 30_000)),
                compressed(2, Arrays.copyOfRange(packet, 30_000, packet.length)))));
        List<byte[]> frames = drainInbound(ch);
        assertEquals(1, frames.size());
        assertArrayEquals(packet, frames.get(0));
        assertFalse(ch.finish());
    }

    @Test
    void emptyStoredPacketYieldsNothing() {
        EmbeddedChannel ch = new EmbeddedChannel(decoder(100));
        ch.config().setAllocator(alloc);
        ch.writeInbound(alloc.wrap(concat(header(0, 0, 0), MariaDbCapture.CLIENT_QUIT)));
        List<byte[]> out = drainInbound(ch);
        assertEquals(1, out.size(), "only the COM_QUIT's bytes");
        assertArrayEquals(hex("01 00 00 00 01"), out.get(0));
        assertFalse(ch.finish());
    }

    /** The header alone is enough to fail: the announced bytes are never waited for, nor allocated. */
    @Test
    void uncompressedLengthAboveTheBoundFailsOnTheHeader() {
        EmbeddedChannel ch = channel(1000);
        ch.writeInbound(alloc.wrap(hex("40 00 00 00 e9 03")));
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class,
                () -> ch.writeInbound(alloc.wrap(hex("00  # uncompressed length 1001 complete"))));
        assertEquals(1001, e.announced());
        assertEquals(1000, e.limit());
        assertDiscardsEverythingAfter(ch);
    }

    @Test
    void storedPayloadAboveTheBoundFails() {
        EmbeddedChannel ch = channel(1000);
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class,
                () -> ch.writeInbound(alloc.wrap(header(1001, 0, 0))));
        assertEquals(1001, e.announced());
        assertDiscardsEverythingAfter(ch);
    }

    @Test
    void compressedLengthNoCompressorCouldMakeIsMalformed() {
        EmbeddedChannel ch = channel(1 << 20);
        assertMalformed(ch, header(1000, 0, 100));
        assertDiscardsEverythingAfter(ch);
    }

    /** The header says 59 and 57 bytes; the data inflates to 58. */
    @Test
    void uncompressedLengthThatLiesIsMalformed() {
        for (int lie : new int[] {59, 57}) {
            byte[] packet = MariaDbCapture.SERVER_RESULT.clone();
            packet[4] = (byte) lie;
            EmbeddedChannel ch = channel(1 << 20);
            assertMalformed(ch, packet);
            assertDiscardsEverythingAfter(ch);
        }
    }

    @Test
    void garbageDeflateDataIsMalformed() {
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);
        EmbeddedChannel ch = channel(1 << 20);
        assertMalformed(ch, concat(MariaDbCapture.CLIENT_QUERY, header(200, 1, 300), garbage));
        assertArrayEquals(hex("09 00 00 00 03 'select 1'"), drainInbound(ch).get(0), "what came before still counts");
        assertDiscardsEverythingAfter(ch);
    }

    @Test
    void zlibStreamCutShortIsMalformed() {
        byte[] packet = Arrays.copyOf(MariaDbCapture.SERVER_RESULT, MariaDbCapture.SERVER_RESULT.length - 4);
        packet[0] -= 4; // the adler-32 is missing
        EmbeddedChannel ch = channel(1 << 20);
        assertMalformed(ch, packet);
        assertDiscardsEverythingAfter(ch);
    }

    @Test
    void bytesAfterTheZlibStreamAreMalformed() {
        byte[] packet = concat(MariaDbCapture.SERVER_RESULT, new byte[] {0});
        packet[0] += 1;
        EmbeddedChannel ch = channel(1 << 20);
        assertMalformed(ch, packet);
        assertDiscardsEverythingAfter(ch);
    }

    private void assertMalformed(EmbeddedChannel ch, byte[] input) {
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(alloc.wrap(input)));
        assertInstanceOf(MalformedPacketException.class, e.getCause());
    }

    /** After a failure nothing is emitted, however well-formed. */
    private void assertDiscardsEverythingAfter(EmbeddedChannel ch) {
        drainInbound(ch);
        assertFalse(ch.writeInbound(alloc.wrap(MariaDbCapture.CLIENT_QUERY)));
        assertTrue(drainInbound(ch).isEmpty());
        assertFalse(ch.finish());
    }

    private CompressedPacketDecoder decoder(int max) {
        return new CompressedPacketDecoder(CompressionAlgorithm.ZLIB.newDecompressor(), new CompressedSequence(), max);
    }

    private EmbeddedChannel channel(int max) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder(max));
        ch.pipeline().addLast("frames", new PacketFrameDecoder(1 << 24));
        return ch;
    }

    private static void assertFramesEqual(byte[][] expected, List<byte[]> actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual.get(i), "frame " + i);
        }
    }
}
