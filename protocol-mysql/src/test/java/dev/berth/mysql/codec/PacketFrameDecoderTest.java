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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ParanoidLeakDetection.class)
class PacketFrameDecoderTest {
    private static final int MAX = Packets.MAX_PAYLOAD;

    /* Three frames as a client sends them: a COM_QUERY, an empty frame, a COM_PING. */
    private static final byte[] STREAM = hex("""
            09 00 00  # payload length 9
            00        # sequence id 0
            03        # COM_QUERY
            'SELECT 1'
            00 00 00  # payload length 0 (as ends a LOCAL INFILE upload)
            02        # sequence id 2
            01 00 00  # payload length 1
            00        # sequence id 0
            0e        # COM_PING
            """);
    static final byte[][] FRAMES = {
        Arrays.copyOfRange(STREAM, 0, 13), Arrays.copyOfRange(STREAM, 13, 17), Arrays.copyOfRange(STREAM, 17, 22)};

    private final TrackingAllocator alloc = new TrackingAllocator();

    /** Every buffer the test wrote and every buffer the decoder allocated (its cumulation) was released. */
    @AfterEach
    void nothingLeaked() {
        alloc.assertAllReleased();
    }

    @Test
    void framesFedOneByteAtATime() {
        EmbeddedChannel ch = channel(1 << 20);
        List<byte[]> frames = new ArrayList<>();
        for (byte b : STREAM) {
            ch.writeInbound(input(new byte[] {b}));
            drain(ch, frames);
        }
        assertFramesEqual(FRAMES, frames);
        assertFalse(ch.finish());
    }

    @Test
    void framesSplitAtEveryPossibleBoundary() {
        for (int i = 0; i <= STREAM.length; i++) {
            for (int j = i; j <= STREAM.length; j++) {
                EmbeddedChannel ch = channel(1 << 20);
                List<byte[]> frames = new ArrayList<>();
                ch.writeInbound(input(Arrays.copyOfRange(STREAM, 0, i)));
                drain(ch, frames);
                ch.writeInbound(input(Arrays.copyOfRange(STREAM, i, j)));
                drain(ch, frames);
                ch.writeInbound(input(Arrays.copyOfRange(STREAM, j, STREAM.length)));
                drain(ch, frames);
                assertFramesEqual(FRAMES, frames);
                assertFalse(ch.finish());
            }
        }
    }

    @Test
    void framesAreRetainedSlicesOfTheInputNotCopies() {
        EmbeddedChannel ch = channel(1 << 20);
        ByteBuf in = input(STREAM);
        ch.writeInbound(in);
        ByteBuf first = ch.readInbound();
        ByteBuf second = ch.readInbound();
        ByteBuf third = ch.readInbound();
        assertNull(ch.readInbound());
        // The decoder gave up its own reference; each frame holds one on the input's memory.
        assertEquals(3, in.refCnt());
        assertArrayEquals(FRAMES[0], bytes(first));
        in.setByte(5, 'Z');
        assertEquals('Z', first.getByte(5), "a frame shares the input's memory");
        first.release();
        second.release();
        assertEquals(1, in.refCnt());
        third.release();
        assertEquals(0, in.refCnt());
        assertFalse(ch.finish());
    }

    @Test
    void incompleteFrameAtCloseIsDiscardedNotEmitted() {
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeInbound(input(Arrays.copyOfRange(STREAM, 0, 20)));
        List<byte[]> frames = new ArrayList<>();
        drain(ch, frames);
        assertEquals(2, frames.size());
        assertFalse(ch.finish());
    }

    /** 16 MB - 1 of payload in one frame, the last 5 bytes in a continuation frame. */
    @Test
    void logicalPacketOf16MbArrivesAsTwoFrames() {
        EmbeddedChannel ch = channel(64L << 20);
        byte[] stream = concat(header(MAX, 0), filled(MAX, 'a'), header(5, 1), filled(5, 'b'));
        writeInChunks(ch, stream, 1 << 16);
        List<byte[]> frames = new ArrayList<>();
        drain(ch, frames);
        assertEquals(2, frames.size());
        assertEquals(4 + MAX, frames.get(0).length);
        assertArrayEquals(header(MAX, 0), Arrays.copyOf(frames.get(0), 4));
        assertArrayEquals(concat(header(5, 1), filled(5, 'b')), frames.get(1));
        assertFalse(ch.finish());
    }

    /**
     * A logical packet of exactly 0xFFFFFF bytes ends with an empty frame. The bound is then counted from zero
     * again for the next packet, even though the bound is exactly one full frame.
     */
    @Test
    void exactMultipleEndsWithAnEmptyFrameAndTheBoundStartsAgain() {
        EmbeddedChannel ch = channel(MAX);
        byte[] stream = concat(header(MAX, 0), filled(MAX, 'a'), header(0, 1), header(1, 0), new byte[] {0x0e});
        writeInChunks(ch, stream, 1 << 16);
        List<byte[]> frames = new ArrayList<>();
        drain(ch, frames);
        assertEquals(3, frames.size());
        assertEquals(4 + MAX, frames.get(0).length);
        assertArrayEquals(header(0, 1), frames.get(1));
        assertArrayEquals(hex("01 00 00 00 0e"), frames.get(2));
        assertFalse(ch.finish());
    }

    @Test
    void packetExactlyAtTheBoundPasses() {
        EmbeddedChannel ch = channel(9);
        ch.writeInbound(input(FRAMES[0]));
        List<byte[]> frames = new ArrayList<>();
        drain(ch, frames);
        assertArrayEquals(FRAMES[0], frames.get(0));
        assertFalse(ch.finish());
    }

    /** The header alone is enough to fail: the 1025 announced bytes are never waited for. */
    @Test
    void headerAnnouncingMoreThanTheBoundFailsBeforeThePayload() {
        EmbeddedChannel ch = channel(1024);
        ch.writeInbound(input(hex("01 04")));
        ch.writeInbound(input(hex("00")));
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class,
                () -> ch.writeInbound(input(hex("00  # sequence id completes the header"))));
        assertEquals(1025, e.announced());
        assertEquals(1024, e.limit());
        // Nothing after the failure is emitted, however well-formed.
        assertFalse(ch.writeInbound(input(new byte[1025])));
        assertFalse(ch.writeInbound(input(STREAM)));
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void framesBeforeTheOversizedOneInTheSameReadAreStillEmitted() {
        EmbeddedChannel ch = channel(100);
        byte[] stream = concat(FRAMES[2], hex("65 00 00 00  # 101 bytes announced"), FRAMES[2]);
        assertThrows(PacketTooLargeException.class, () -> ch.writeInbound(input(stream)));
        ByteBuf ping = ch.readInbound();
        assertArrayEquals(FRAMES[2], bytes(ping));
        ping.release();
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    /** The bound covers the logical packet: a full frame fits, its continuation tips it over. */
    @Test
    void boundAppliesToTheSumAcrossContinuationFrames() {
        EmbeddedChannel ch = channel(MAX + 10L);
        writeInChunks(ch, concat(header(MAX, 0), filled(MAX, 'a')), 1 << 16);
        ByteBuf full = ch.readInbound();
        assertEquals(4 + MAX, full.readableBytes());
        full.release();
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class,
                () -> ch.writeInbound(input(header(11, 1))));
        assertEquals(MAX + 11L, e.announced());
        assertEquals(MAX + 10L, e.limit());
        assertFalse(ch.writeInbound(input(concat(filled(11, 'b'), FRAMES[2]))));
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void boundCanBeRaisedAfterTheHandshake() {
        PacketFrameDecoder decoder = new PacketFrameDecoder(4);
        EmbeddedChannel ch = channel(decoder);
        ch.writeInbound(input(FRAMES[2]));
        ByteBuf ping = ch.readInbound();
        ping.release();
        decoder.setMaxPacketSize(1 << 20);
        ch.writeInbound(input(FRAMES[0]));
        ByteBuf query = ch.readInbound();
        assertArrayEquals(FRAMES[0], bytes(query));
        query.release();
        assertFalse(ch.finish());
    }

    private EmbeddedChannel channel(long max) {
        return channel(new PacketFrameDecoder(max));
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

    private void writeInChunks(EmbeddedChannel ch, byte[] stream, int chunk) {
        for (int i = 0; i < stream.length; i += chunk) {
            ch.writeInbound(input(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + chunk))));
        }
    }

    /** Reads every emitted frame, copies it and releases it. */
    private static void drain(EmbeddedChannel ch, List<byte[]> frames) {
        ByteBuf frame;
        while ((frame = ch.readInbound()) != null) {
            frames.add(bytes(frame));
            frame.release();
        }
    }

    private static void assertFramesEqual(byte[][] expected, List<byte[]> actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual.get(i), "frame " + i);
        }
    }

    private static byte[] header(int length, int sequenceId) {
        return new byte[] {(byte) length, (byte) (length >> 8), (byte) (length >> 16), (byte) sequenceId};
    }

    private static byte[] filled(int length, char c) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
