package dev.berth.mysql.compress;

import static dev.berth.mysql.compress.Wire.concat;
import static dev.berth.mysql.compress.Wire.drainInbound;
import static dev.berth.mysql.compress.Wire.drainOutbound;
import static dev.berth.mysql.compress.Wire.frame;
import static dev.berth.mysql.compress.Wire.header;
import static dev.berth.mysql.compress.Wire.stored;
import static dev.berth.mysql.compress.Wire.text;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.Zstd;
import dev.berth.mysql.TrackingAllocator;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.PacketFrameDecoder;
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

    /**
     * A 20 MB COM_QUERY as two zstd-compressed packets (MySQL's default level 3) fed in 8 KB pieces: it comes out as it
     * arrives, in chunks, and the handlers hold no more than their chunks and a read or two of Netty's memory (zstd's
     * window, 2 MB at this level, is native memory of its own, freed at the packet's end).
     */
    @Test
    void twentyMegabyteQueryComesOutWhileItArrives() {
        byte[] plain = Wire.largeQuery(20_000_000, Wire.letters(20_000_000, 15));
        byte[] wire = Wire.inCompressedPackets(plain, ZstdCompressionTest::zstd);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        PacketFrameDecoder frames = new PacketFrameDecoder(1 << 26);
        frames.streamLargeFrames(true);
        ch.pipeline().addLast("frames", frames);
        CompressionCodec.install(ch.pipeline(), "frames", CompressionAlgorithm.ZSTD, 3, 1 << 26);
        PieceFeeder feeder = new PieceFeeder(ch, alloc, plain).feed(wire, 8192);
        feeder.assertComplete();
        System.out.printf("zstd, %,d bytes in %,d compressed, 8 KB reads: first output after %,d bytes fed, "
                        + "largest message %,d bytes, peak held %,d bytes%n", plain.length, wire.length,
                feeder.fedAtFirstOutput(), feeder.largestMessage(), feeder.peakLiveBytes());
        assertTrue(feeder.fedAtFirstOutput() <= 256 * 1024, "first output after " + feeder.fedAtFirstOutput());
        assertTrue(feeder.peakLiveBytes() <= 256 * 1024, "held " + feeder.peakLiveBytes() + " bytes at once");
        assertFalse(ch.finish());
    }

    /** 16 MB of one letter in a zstd frame of a few hundred bytes comes out only as fast as it is taken. */
    @Test
    void whatInflatesTenThousandfoldComesOutOnlyAsFastAsItIsTaken() {
        byte[] plain = Wire.largeQuery(Packets.MAX_PAYLOAD - Packets.HEADER_SIZE, new byte[] {'x'});
        byte[] wire = zstd(0, plain);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder(PacketFrameDecoder.CHUNK_SIZE), new PauseAfterEachMessage());
        PieceFeeder feeder = new PieceFeeder(ch, alloc, plain).feed(wire, wire.length).resumeUntilDry();
        feeder.assertComplete();
        assertTrue(feeder.largestMessage() <= PacketFrameDecoder.CHUNK_SIZE, "a message of " + feeder.largestMessage());
        assertTrue(feeder.peakLiveBytes() <= PacketFrameDecoder.CHUNK_SIZE + 2L * wire.length,
                "held " + feeder.peakLiveBytes() + " bytes at once");
        assertFalse(ch.finish());
    }

    /** Byte at a time with chunks of 100 bytes: stored, streamed, whole, each as it should. */
    @Test
    void everyPathFedOneByteAtATime() {
        byte[] storedPart = Wire.letters(250, 1);
        byte[] streamedPart = text(4000);
        byte[] wholePart = text(60);
        byte[] wire = concat(stored(0, storedPart), zstd(1, streamedPart), zstd(2, wholePart));
        byte[] plain = concat(storedPart, streamedPart, wholePart);
        CompressedPacketDecoder decoder = decoder(100);
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

    /**
     * zstd reads frames one after another, and so does the decoder, whole or streamed: here with the second frame's
     * first byte in a read of its own.
     */
    @Test
    void twoFramesInOnePayload() {
        byte[] first = frame(0, concat(new byte[] {0x03}, text(3000)));
        byte[] second = frame(1, text(2000));
        byte[] data = concat(Zstd.compress(first, 3), Zstd.compress(second, 3));
        byte[] packet = concat(header(data.length, 0, first.length + second.length), data);
        EmbeddedChannel whole = channel();
        whole.writeInbound(alloc.wrap(packet));
        List<byte[]> frames = drainInbound(whole);
        assertEquals(2, frames.size());
        assertArrayEquals(first, frames.get(0));
        assertArrayEquals(second, frames.get(1));
        assertFalse(whole.finish());

        EmbeddedChannel streamed = new EmbeddedChannel();
        streamed.config().setAllocator(alloc);
        streamed.pipeline().addLast(decoder(100));
        PieceFeeder feeder = new PieceFeeder(streamed, alloc, concat(first, second)).feed(packet, 1);
        feeder.assertComplete();
        assertFalse(streamed.finish());
    }

    /**
     * A streamed frame may ask for a window of 16 MB, what a frame of one packet never needs more than (zstd would
     * allocate up to 128 MB, as soon as it reads the header); 32 MB is refused.
     */
    @Test
    void streamedFrameMayAskForA16MegabyteWindowAtMost() {
        byte[] content = Wire.letters(70_000, 3);
        byte[] fits = frameWithWindow(24, content);
        EmbeddedChannel ch = new EmbeddedChannel(decoder(PacketFrameDecoder.CHUNK_SIZE));
        ch.config().setAllocator(alloc);
        ch.writeInbound(alloc.wrap(concat(header(fits.length, 0, content.length), fits)));
        assertArrayEquals(content, concat(drainInbound(ch).toArray(new byte[0][])));
        assertFalse(ch.finish());

        byte[] tooLarge = frameWithWindow(25, content);
        EmbeddedChannel refused = new EmbeddedChannel(decoder(PacketFrameDecoder.CHUNK_SIZE));
        refused.config().setAllocator(alloc);
        DecoderException e = assertThrows(DecoderException.class,
                () -> refused.writeInbound(alloc.wrap(concat(header(tooLarge.length, 0, content.length), tooLarge))));
        assertInstanceOf(MalformedPacketException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("window"), e.getCause().getMessage());
        assertFalse(refused.finish());
    }

    /** Streamed and fed a byte at a time, the checks are those of a whole payload. */
    @Test
    void streamedPayloadsFailTheSameChecks() {
        byte[] query = frame(0, concat(new byte[] {0x03}, text(500)));
        byte[] zstd = Zstd.compress(query, 3);
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);
        List<byte[]> inputs = List.of(
                concat(header(zstd.length, 0, query.length - 1), zstd),
                concat(header(zstd.length, 0, query.length + 1), zstd),
                concat(header(zstd.length - 1, 0, query.length), Arrays.copyOf(zstd, zstd.length - 1)),
                concat(header(zstd.length + 4, 0, query.length), zstd, new byte[] {1, 2, 3, 4}),
                concat(header(200, 0, 300), garbage));
        for (byte[] input : inputs) {
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.config().setAllocator(alloc);
            ch.pipeline().addLast(decoder(16));
            DecoderException e = assertThrows(DecoderException.class, () -> {
                for (byte b : input) {
                    ch.writeInbound(alloc.wrap(new byte[] {b}));
                }
            });
            assertInstanceOf(MalformedPacketException.class, e.getCause());
            drainInbound(ch); // what came out before it showed: the caller closes on the failure
            assertFalse(ch.writeInbound(alloc.wrap(zstd(0, query))), "discarded after");
            assertFalse(ch.finish());
        }
    }

    private static byte[] zstd(int sequenceId, byte[] payload) {
        byte[] data = Zstd.compress(payload, 3);
        return concat(header(data.length, sequenceId, payload.length), data);
    }

    /** A zstd frame of one raw block declaring a window of 2^windowLog bytes and no content size. */
    private static byte[] frameWithWindow(int windowLog, byte[] content) {
        byte[] header = {
            0x28, (byte) 0xb5, 0x2f, (byte) 0xfd,  // magic number
            0x00,                                  // no content size, not single-segment, no checksum, no dictionary
            (byte) ((windowLog - 10) << 3),        // window descriptor: exponent, mantissa 0
        };
        int block = 1 | content.length << 3;       // last block, raw, its size
        return concat(header, new byte[] {(byte) block, (byte) (block >> 8), (byte) (block >> 16)}, content);
    }

    private CompressedPacketDecoder decoder(int chunkSize) {
        return new CompressedPacketDecoder(CompressionAlgorithm.ZSTD.newDecompressor(), new CompressedSequence(),
                1 << 24, chunkSize);
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
