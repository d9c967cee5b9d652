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
import dev.berth.mysql.codec.Packets;
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

    /**
     * A 20 MB COM_QUERY, two MySQL frames sent as two zlib-compressed packets of 16 MB - 1 uncompressed bytes (12 MB
     * compressed), fed in 8 KB pieces into the decoder and the streaming frame decoder behind it, as in the proxy: the
     * query's head comes out while its first compressed packet is still arriving, and between two pieces the handlers
     * hold no more than their 64 KB chunks and a read or two. Before, the decoder held the whole compressed packet,
     * then it inflated, before anything came out (a peak of 28 MB here).
     */
    @Test
    void twentyMegabyteQueryComesOutWhileItArrives() {
        byte[] plain = Wire.largeQuery(20_000_000, Wire.letters(20_000_000, 15));
        byte[] wire = Wire.inCompressedPackets(plain, Wire::compressed);
        EmbeddedChannel ch = streamingChannel();
        CompressedPacketDecoder decoder = ch.pipeline().get(CompressedPacketDecoder.class);
        PieceFeeder feeder = new PieceFeeder(ch, alloc, plain).watching(decoder::heldBytes).feed(wire, 8192);
        feeder.assertComplete();
        System.out.printf("zlib, %,d bytes in %,d compressed, 8 KB reads: first output after %,d bytes fed, "
                        + "largest message %,d bytes, peak held %,d bytes, by the decoder %,d%n", plain.length,
                wire.length, feeder.fedAtFirstOutput(), feeder.largestMessage(), feeder.peakLiveBytes(),
                feeder.peakHeld());
        assertTrue(feeder.fedAtFirstOutput() <= 128 * 1024, "first output after " + feeder.fedAtFirstOutput());
        assertTrue(feeder.peakLiveBytes() <= 256 * 1024, "held " + feeder.peakLiveBytes() + " bytes at once");
        assertTrue(feeder.peakHeld() <= PacketFrameDecoder.CHUNK_SIZE + 2 * 8192, "the decoder held "
                + feeder.peakHeld());
        assertFalse(ch.finish());
    }

    /**
     * 16 MB of one letter deflates to 16 KB, so one read holds a whole compressed packet that inflates a thousandfold.
     * With a consumer that pauses reading after every message, as the proxy does while the other side can't take
     * more, it comes out a 64 KB piece per read request, and the decoder holds that piece and the read, no more.
     * Before, it came out as one 16 MB buffer.
     */
    @Test
    void whatInflatesAThousandfoldComesOutOnlyAsFastAsItIsTaken() {
        byte[] plain = Wire.largeQuery(Packets.MAX_PAYLOAD - Packets.HEADER_SIZE, new byte[] {'x'});
        byte[] wire = Wire.compressed(0, plain);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder(Packets.MAX_PAYLOAD), new PauseAfterEachMessage());
        PieceFeeder feeder = new PieceFeeder(ch, alloc, plain).feed(wire, wire.length).resumeUntilDry();
        feeder.assertComplete();
        System.out.printf("zlib, %,d bytes in %,d compressed, paused after each message: largest message %,d bytes, "
                + "peak held %,d bytes%n", plain.length, wire.length, feeder.largestMessage(), feeder.peakLiveBytes());
        assertTrue(feeder.largestMessage() <= PacketFrameDecoder.CHUNK_SIZE, "a message of " + feeder.largestMessage());
        assertTrue(feeder.peakLiveBytes() <= PacketFrameDecoder.CHUNK_SIZE + 2L * wire.length,
                "held " + feeder.peakLiveBytes() + " bytes at once");
        assertFalse(ch.finish());
    }

    /**
     * Byte at a time, with chunks of 100 bytes so that every path is taken: a stored payload longer than a chunk, a
     * compressed one inflating to 40 chunks (streamed), a small compressed one (inflated whole once it is in), the real
     * client's query. Every message is a chunk at most, together they are the plain stream, and the decoder never
     * holds more than a chunk of output and the few bytes it waits on.
     */
    @Test
    void everyPathFedOneByteAtATime() {
        byte[] storedPart = Wire.letters(250, 1);
        byte[] streamedPart = text(4000);
        byte[] wholePart = text(60);
        byte[] wire = concat(stored(0, storedPart), compressed(1, streamedPart), compressed(2, wholePart),
                MariaDbCapture.CLIENT_QUERY);
        byte[] plain = concat(storedPart, streamedPart, wholePart, hex("09 00 00 00 03 'select 1'"));
        CompressedPacketDecoder decoder = new CompressedPacketDecoder(CompressionAlgorithm.ZLIB.newDecompressor(),
                new CompressedSequence(), 1 << 20, 100);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder);
        PieceFeeder feeder = new PieceFeeder(ch, alloc, plain);
        int peak = 0;
        for (byte b : wire) {
            feeder.feed(new byte[] {b}, 1);
            peak = Math.max(peak, decoder.heldBytes());
        }
        feeder.assertComplete();
        assertTrue(feeder.largestMessage() <= 100, "a message of " + feeder.largestMessage());
        assertTrue(peak <= 100 + 128, "held " + peak);
        assertFalse(ch.finish());
    }

    /** The same checks hold for a payload streamed in chunks, fed a byte at a time: each fails as it shows. */
    @Test
    void streamedPayloadsFailTheSameChecks() {
        byte[] lieMore = MariaDbCapture.SERVER_RESULT.clone();
        lieMore[4] = 59;
        byte[] lieLess = MariaDbCapture.SERVER_RESULT.clone();
        lieLess[4] = 57;
        byte[] cut = Arrays.copyOf(MariaDbCapture.SERVER_RESULT, MariaDbCapture.SERVER_RESULT.length - 4);
        cut[0] -= 4;
        byte[] trailing = concat(MariaDbCapture.SERVER_RESULT, new byte[] {0});
        trailing[0] += 1;
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);
        for (byte[] input : List.of(lieMore, lieLess, cut, trailing, concat(header(200, 1, 300), garbage))) {
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.config().setAllocator(alloc);
            ch.pipeline().addLast(new CompressedPacketDecoder(CompressionAlgorithm.ZLIB.newDecompressor(),
                    new CompressedSequence(), 1 << 20, 16));
            DecoderException e = assertThrows(DecoderException.class, () -> {
                for (byte b : input) {
                    ch.writeInbound(alloc.wrap(new byte[] {b}));
                }
            });
            assertInstanceOf(MalformedPacketException.class, e.getCause());
            assertDiscardsEverythingAfter(ch);
        }
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

    /** As in the proxy's command phase: frames over 64 KB come out as their head and chunks. */
    private EmbeddedChannel streamingChannel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder(Packets.MAX_PAYLOAD));
        PacketFrameDecoder frames = new PacketFrameDecoder(1 << 26);
        frames.streamLargeFrames(true);
        ch.pipeline().addLast("frames", frames);
        return ch;
    }

    private static void assertFramesEqual(byte[][] expected, List<byte[]> actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual.get(i), "frame " + i);
        }
    }
}
