package dev.berth.mysql.codec;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.ParanoidLeakDetection;
import dev.berth.mysql.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link PacketFrameDecoder#streamLargeFrames}: a frame longer than the chunk size comes as its head (header and the
 * first chunk-size bytes) and {@link FrameChunk}s; shorter ones stay whole. Most tests use a chunk size of 8 so that
 * streamed frames can be fed a byte at a time and split at every boundary.
 */
@ExtendWith(ParanoidLeakDetection.class)
class PacketFrameDecoderStreamingTest {
    private static final int CHUNK = 8;
    private static final int MAX = Packets.MAX_PAYLOAD;

    /* A streamed frame, one at the chunk size, one just above it, a small one, an empty one. */
    private static final byte[] STREAM = hex("""
            14 00 00  # payload length 20: longer than the chunk size, streamed
            00        # sequence id 0
            03        # COM_QUERY
            'SELECT 12345678901 '
            08 00 00  # payload length 8: exactly the chunk size, whole
            01
            '12345678'
            09 00 00  # payload length 9: one byte over, a head and a one-byte chunk
            02
            '123456789'
            01 00 00  # payload length 1
            00
            0e        # COM_PING
            00 00 00  # payload length 0
            01
            """);
    private static final byte[][] FRAMES = {Arrays.copyOfRange(STREAM, 0, 24), Arrays.copyOfRange(STREAM, 24, 36),
        Arrays.copyOfRange(STREAM, 36, 49), Arrays.copyOfRange(STREAM, 49, 54), Arrays.copyOfRange(STREAM, 54, 58)};
    private static final boolean[] STREAMED = {true, false, true, false, false};

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void nothingLeaked() {
        alloc.assertAllReleased();
    }

    @Test
    void streamedFramesFedOneByteAtATime() {
        EmbeddedChannel ch = streaming(new PacketFrameDecoder(1 << 20, CHUNK));
        Frames frames = new Frames();
        for (byte b : STREAM) {
            ch.writeInbound(input(new byte[] {b}));
            frames.drain(ch);
        }
        frames.assertEqual(FRAMES, STREAMED);
        // Fed a byte at a time, a streamed frame's rest comes a byte per chunk: 12 of them for the first.
        assertEquals(1 + 12, frames.pieces.get(0));
        assertFalse(ch.finish());
    }

    @Test
    void streamedFramesSplitAtEveryPossibleBoundary() {
        for (int i = 0; i <= STREAM.length; i++) {
            for (int j = i; j <= STREAM.length; j++) {
                EmbeddedChannel ch = streaming(new PacketFrameDecoder(1 << 20, CHUNK));
                Frames frames = new Frames();
                ch.writeInbound(input(Arrays.copyOfRange(STREAM, 0, i)));
                frames.drain(ch);
                ch.writeInbound(input(Arrays.copyOfRange(STREAM, i, j)));
                frames.drain(ch);
                ch.writeInbound(input(Arrays.copyOfRange(STREAM, j, STREAM.length)));
                frames.drain(ch);
                frames.assertEqual(FRAMES, STREAMED);
                assertFalse(ch.finish());
            }
        }
    }

    /** In one read, a 20-byte payload comes as its head and chunks of at most the chunk size: 8 + 8 + 4. */
    @Test
    void chunksAreAtMostTheChunkSizeAndShareTheInputsMemory() {
        EmbeddedChannel ch = streaming(new PacketFrameDecoder(1 << 20, CHUNK));
        ByteBuf in = input(FRAMES[0]);
        ch.writeInbound(in);
        ByteBuf head = ch.readInbound();
        assertTrue(Packets.isPartial(head));
        assertEquals(20, Packets.payloadLength(head));
        assertEquals(3, Packets.firstByte(head));
        assertEquals("SELECT 1", Packets.payloadStart(head).toString(1, 8, java.nio.charset.StandardCharsets.US_ASCII));
        FrameChunk first = ch.readInbound();
        FrameChunk second = ch.readInbound();
        assertNull(ch.readInbound());
        assertEquals(8, first.content().readableBytes());
        assertFalse(first.last());
        assertEquals(4, second.content().readableBytes());
        assertTrue(second.last());
        in.setByte(4 + 8, 'Z');
        assertEquals('Z', first.content().getByte(first.content().readerIndex()), "a chunk is a slice, not a copy");
        head.release();
        first.release();
        second.release();
        assertEquals(0, in.refCnt());
        assertFalse(ch.finish());
    }

    @Test
    void streamingOffKeepsFramesWholeAndCanBeSwitchedBetweenFrames() {
        PacketFrameDecoder decoder = new PacketFrameDecoder(1 << 20, CHUNK);
        EmbeddedChannel ch = channel(decoder);
        ch.writeInbound(input(FRAMES[0]));
        ByteBuf whole = ch.readInbound();
        assertFalse(Packets.isPartial(whole));
        assertArrayEquals(FRAMES[0], bytes(whole));
        whole.release();
        decoder.streamLargeFrames(true);
        ch.writeInbound(input(FRAMES[0]));
        Frames frames = new Frames();
        frames.drain(ch);
        frames.assertEqual(new byte[][] {FRAMES[0]}, new boolean[] {true});
        assertFalse(ch.finish());
    }

    /** A client's 16 MB + 5 byte query with the real chunk size, arriving in 64 KB reads. */
    @Test
    void packetOf16MbStreamsInPiecesOfAtMost64Kb() {
        EmbeddedChannel ch = streaming(new PacketFrameDecoder(64L << 20));
        byte[] big = new byte[MAX];
        for (int i = 0; i < MAX; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        big[0] = 0x03;
        byte[] stream = concat(header(MAX, 0), big, header(5, 1), "12345".getBytes(), FRAMES[3]);
        Frames frames = new Frames();
        for (int i = 0; i < stream.length; i += 1 << 16) {
            ch.writeInbound(input(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + (1 << 16)))));
            frames.drain(ch);
            assertTrue(frames.largestPiece <= 4 + PacketFrameDecoder.CHUNK_SIZE, "piece of " + frames.largestPiece);
        }
        frames.assertEqual(new byte[][] {concat(header(MAX, 0), big), concat(header(5, 1), "12345".getBytes()),
            FRAMES[3]}, new boolean[] {true, false, false});
        assertFalse(ch.finish());
    }

    /** The bound still covers the logical packet when its first frame was streamed. */
    @Test
    void boundAppliesAcrossAStreamedFrameAndItsContinuation() {
        EmbeddedChannel ch = streaming(new PacketFrameDecoder(MAX + 10L));
        byte[] full = concat(header(MAX, 0), new byte[MAX]);
        Frames frames = new Frames();
        for (int i = 0; i < full.length; i += 1 << 16) {
            ch.writeInbound(input(Arrays.copyOfRange(full, i, Math.min(full.length, i + (1 << 16)))));
            frames.drain(ch);
        }
        frames.assertEqual(new byte[][] {full}, new boolean[] {true});
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class,
                () -> ch.writeInbound(input(header(11, 1))));
        assertEquals(MAX + 11L, e.announced());
        assertFalse(ch.writeInbound(input(concat(new byte[11], FRAMES[3]))));
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    /** A connection that closes mid-frame leaves the chunks read so far, none of them the last. */
    @Test
    void streamedFrameCutByCloseEndsWithoutALastChunk() {
        EmbeddedChannel ch = streaming(new PacketFrameDecoder(1 << 20, CHUNK));
        ch.writeInbound(input(Arrays.copyOf(FRAMES[0], 20)));
        ByteBuf head = ch.readInbound();
        FrameChunk chunk = ch.readInbound();
        assertEquals(8, chunk.content().readableBytes());
        assertFalse(chunk.last());
        head.release();
        chunk.release();
        assertFalse(ch.finish());
    }

    private EmbeddedChannel streaming(PacketFrameDecoder decoder) {
        decoder.streamLargeFrames(true);
        return channel(decoder);
    }

    private EmbeddedChannel channel(PacketFrameDecoder decoder) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder);
        return ch;
    }

    private ByteBuf input(byte[] bytes) {
        return alloc.wrap(bytes);
    }

    /** Frames put back together from what the decoder emits, checking the order of heads and chunks. */
    private static final class Frames {
        final List<byte[]> frames = new ArrayList<>();
        final List<Boolean> streamed = new ArrayList<>();
        final List<Integer> pieces = new ArrayList<>();
        int largestPiece;
        private ByteArrayOutputStream open;

        void drain(EmbeddedChannel ch) {
            Object msg;
            while ((msg = ch.readInbound()) != null) {
                if (msg instanceof FrameChunk chunk) {
                    if (open == null) {
                        chunk.release();
                        throw new AssertionError("a chunk outside a streamed frame");
                    }
                    byte[] b = bytes(chunk.content());
                    chunk.release();
                    assertTrue(b.length > 0, "an empty chunk");
                    largestPiece = Math.max(largestPiece, b.length);
                    open.writeBytes(b);
                    pieces.set(pieces.size() - 1, pieces.get(pieces.size() - 1) + 1);
                    if (chunk.last()) {
                        frames.add(open.toByteArray());
                        open = null;
                    }
                    continue;
                }
                ByteBuf frame = (ByteBuf) msg;
                boolean partial = Packets.isPartial(frame);
                byte[] b = bytes(frame);
                frame.release();
                if (open != null) {
                    throw new AssertionError("a frame began before the last chunk of the one before");
                }
                largestPiece = Math.max(largestPiece, b.length);
                streamed.add(partial);
                pieces.add(1);
                if (partial) {
                    open = new ByteArrayOutputStream();
                    open.writeBytes(b);
                } else {
                    frames.add(b);
                }
            }
        }

        void assertEqual(byte[][] expected, boolean[] expectedStreamed) {
            assertNull(open, "a streamed frame was not finished");
            assertEquals(expected.length, frames.size());
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i], frames.get(i), "frame " + i);
                assertEquals(expectedStreamed[i], streamed.get(i), "frame " + i + " streamed");
            }
        }
    }

    private static byte[] header(int length, int sequenceId) {
        return new byte[] {(byte) length, (byte) (length >> 8), (byte) (length >> 16), (byte) sequenceId};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
