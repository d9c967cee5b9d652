package dev.berth.mysql.compress;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.compress.Wire.concat;
import static dev.berth.mysql.compress.Wire.drainInbound;
import static dev.berth.mysql.compress.Wire.drainOutbound;
import static dev.berth.mysql.compress.Wire.frame;
import static dev.berth.mysql.compress.Wire.stored;
import static dev.berth.mysql.compress.Wire.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.TrackingAllocator;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.util.ResourceLeakDetector;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Berth's side of a compressed connection: the codec installed in front of "frames", as the proxy will. */
class CompressedPacketEncoderTest {
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

    /** Same zlib (Debian's 1.2.13, as the server links) at the default level: the very bytes MariaDB sent. */
    @Test
    void writesTheResultSetAsMariaDbDid() {
        EmbeddedChannel ch = server();
        ch.writeInbound(alloc.wrap(MariaDbCapture.CLIENT_QUERY));
        drainInbound(ch);
        ch.writeOutbound(alloc.wrap(concat(MariaDbCapture.RESULT_FRAMES)));
        List<byte[]> packets = drainOutbound(ch);
        assertEquals(1, packets.size());
        assertArrayEquals(MariaDbCapture.SERVER_RESULT, packets.get(0));
        assertFalse(ch.finish());
    }

    /** Ids as MariaDB 10.11 numbered them in a captured LOAD DATA LOCAL INFILE, then the next command. */
    @Test
    void sequenceIdsGoOnFromTheClientsLastOne() {
        EmbeddedChannel ch = server();
        ch.writeInbound(alloc.wrap(stored(0, frame(0, hex("03 'load data local infile ...'")))));
        assertEquals(List.of(1), sendAndReadIds(ch, frame(1, hex("fb '/tmp/data.tsv'  # LOCAL INFILE request"))));
        ch.writeInbound(alloc.wrap(stored(2, concat(frame(2, hex("'1' 09 '2' 0a")), frame(3, new byte[0])))));
        assertEquals(List.of(3), sendAndReadIds(ch, frame(3, hex("ff ff ff 01  # MariaDB progress report"))));
        assertEquals(List.of(4), sendAndReadIds(ch, frame(4, hex("00 02 00 02 00 00 00  # OK"))));
        ch.writeInbound(alloc.wrap(MariaDbCapture.CLIENT_QUIT));
        assertEquals(List.of(1), sendAndReadIds(ch, frame(1, hex("00 00 00 02 00 00 00"))));
        ch.writeInbound(alloc.wrap(stored(255, frame(0, hex("0e  # COM_PING")))));
        assertEquals(List.of(0), sendAndReadIds(ch, frame(1, hex("00 00 00 02 00 00 00"))), "wraps after 255");
        drainInbound(ch);
        assertFalse(ch.finish());
    }

    @Test
    void writesAreGatheredUntilTheFlush() {
        EmbeddedChannel ch = server();
        byte[][] frames = {frame(1, hex("01")), frame(2, hex("'a column'")), frame(3, hex("fe 00 00 02 00"))};
        List<ChannelFuture> writes = new ArrayList<>();
        for (byte[] f : frames) {
            writes.add(ch.write(alloc.wrap(f)));
        }
        assertTrue(drainOutbound(ch).isEmpty());
        assertTrue(writes.stream().noneMatch(ChannelFuture::isDone));
        ch.flush();
        List<byte[]> packets = drainOutbound(ch);
        assertEquals(1, packets.size());
        assertArrayEquals(stored(0, concat(frames)), packets.get(0));
        assertTrue(writes.stream().allMatch(ChannelFuture::isSuccess));
        assertFalse(ch.finish());
    }

    /** MySQL's MIN_COMPRESS_LENGTH: 49 bytes go stored however well they would compress, 50 are compressed. */
    @Test
    void fiftyBytesAndUpAreCompressed() throws Exception {
        EmbeddedChannel ch = server();
        byte[] small = new byte[49];
        byte[] enough = new byte[50];
        ch.writeOutbound(alloc.wrap(small));
        ch.writeOutbound(alloc.wrap(enough));
        List<byte[]> packets = drainOutbound(ch);
        assertArrayEquals(stored(0, small), packets.get(0));
        byte[] header = Arrays.copyOf(packets.get(1), 7);
        assertEquals(1, header[3]);
        assertArrayEquals(hex("32 00 00"), Arrays.copyOfRange(header, 4, 7), "uncompressed length 50");
        assertEquals(packets.get(1).length - 7, header[0]);
        assertArrayEquals(enough, Wire.inflate(Arrays.copyOfRange(packets.get(1), 7, packets.get(1).length), 50));
        assertFalse(ch.finish());
    }

    @Test
    void whatDoesNotShrinkIsStored() {
        byte[] random = new byte[1000];
        new Random(7).nextBytes(random);
        EmbeddedChannel ch = server();
        ch.writeOutbound(alloc.wrap(random));
        assertArrayEquals(stored(0, random), drainOutbound(ch).get(0));
        assertFalse(ch.finish());
    }

    /**
     * A logical packet of 16 MB + 10 (two MySQL frames, 16 MB + 17 bytes) becomes 256 compressed packets of 64 KB
     * uncompressed, each cut as soon as that much is queued, and one of the 17 bytes left at the flush, numbered on
     * through 255 to 0; the client side reads back the same two frames.
     */
    @Test
    void sixteenMegabytePacketRoundTrip() {
        List<Integer> sentBeforeTls = new ArrayList<>();
        EmbeddedChannel server = server();
        server.pipeline().addFirst("tls", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                sentBeforeTls.add(((ByteBuf) msg).readableBytes());
                ctx.write(msg, promise);
            }
        });
        byte[] first = frame(0, text(Packets.MAX_PAYLOAD));
        byte[] last = frame(1, text(10));
        ChannelFuture firstWrite = server.write(alloc.wrap(first));
        assertEquals(256, sentBeforeTls.size(), "full packets go before any flush");
        assertFalse(firstWrite.isDone(), "3 bytes of it still wait");
        server.writeAndFlush(alloc.wrap(last));
        assertTrue(firstWrite.isSuccess());
        List<byte[]> packets = drainOutbound(server);
        assertEquals(257, packets.size());
        assertArrayEquals(hex("00 00 01"), Arrays.copyOfRange(packets.get(0), 4, 7), "uncompressed 64 KB");
        assertArrayEquals(stored(0, concat(Arrays.copyOfRange(first, 256 << 16, first.length), last)),
                packets.get(256), "the 17 bytes left, stored: under 50");
        assertEquals(0, packets.get(0)[3]);
        assertEquals((byte) 255, packets.get(255)[3]);

        EmbeddedChannel client = server();
        for (byte[] packet : packets) {
            client.writeInbound(alloc.wrap(packet));
        }
        List<byte[]> frames = drainInbound(client);
        assertEquals(2, frames.size());
        assertArrayEquals(first, frames.get(0));
        assertArrayEquals(last, frames.get(1));
        assertFalse(server.finish());
        assertFalse(client.finish());
    }

    /**
     * A 20 MB row written at once (two MySQL frames) goes out as compressed packets of at most 64 KB uncompressed
     * each, numbered in turn, and the client side reads the same frames back. Before, it went out as packets of
     * 16 MB - 1, each compressed whole into a buffer of its own.
     */
    @Test
    void twentyMegabyteWriteGoesOutIn64KbPackets() {
        byte[] plain = Wire.largeQuery(20_000_000, Wire.letters(1 << 20, 7));
        EmbeddedChannel server = server();
        server.writeOutbound(alloc.wrap(plain));
        List<byte[]> packets = drainOutbound(server);
        long total = 0;
        for (int i = 0; i < packets.size(); i++) {
            byte[] packet = packets.get(i);
            int uncompressed = medium(packet, 4);
            int plainLength = uncompressed == 0 ? medium(packet, 0) : uncompressed;
            assertTrue(plainLength <= PacketFrameDecoder.CHUNK_SIZE, "packet " + i + ": " + plainLength + " bytes");
            assertEquals(i & 0xff, packet[3] & 0xff, "sequence id of packet " + i);
            total += plainLength;
        }
        assertEquals(plain.length, total);

        EmbeddedChannel client = server();
        for (byte[] packet : packets) {
            client.writeInbound(alloc.wrap(packet));
        }
        assertArrayEquals(plain, concat(drainInbound(client).toArray(new byte[0][])));
        assertFalse(server.finish());
        assertFalse(client.finish());
    }

    /**
     * A 20 MB row arriving as 8 KB writes without a flush, as the proxy forwards a backend's reads, each write taken
     * by the socket once the encoder passes it on: the row is compressed as it comes, and the encoder never holds
     * more than a 64 KB packet's worth of it. Before, it held up to 16 MB until a flush or a full packet.
     */
    @Test
    void writesAreCompressedAsTheyArrive() {
        byte[] plain = Wire.largeQuery(20_000_000, Wire.letters(1 << 20, 7));
        List<byte[]> sent = new ArrayList<>();
        EmbeddedChannel server = server();
        server.pipeline().addFirst("socket", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ByteBuf packet = (ByteBuf) msg;
                sent.add(bytes(packet));
                packet.release();
                promise.setSuccess();
            }
        });
        long peak = 0;
        for (int at = 0; at < plain.length; at += 8192) {
            server.write(alloc.wrap(Arrays.copyOfRange(plain, at, Math.min(plain.length, at + 8192))));
            peak = Math.max(peak, alloc.liveBytes());
        }
        server.flush();
        System.out.printf("encoder, %,d bytes in 8 KB writes: %d packets, peak held %,d bytes%n", plain.length,
                sent.size(), peak);
        assertTrue(peak <= PacketFrameDecoder.CHUNK_SIZE + 2 * 8192, "held " + peak + " bytes at once");

        EmbeddedChannel client = server();
        for (byte[] packet : sent) {
            client.writeInbound(alloc.wrap(packet));
        }
        assertArrayEquals(plain, concat(drainInbound(client).toArray(new byte[0][])));
        assertFalse(server.finish());
        assertFalse(client.finish());
    }

    /**
     * What waits in the encoder counts against the channel's writability, and what it compressed sits in the channel's
     * buffer, counted too: with the proxy's water marks (64 KB, 256 KB), incompressible 8 KB writes without a flush
     * make the channel unwritable once about 256 KB are written, and the flush that sends them makes it writable again.
     */
    @Test
    void writabilityCountsWhatWaitsAndWhatWasCompressed() {
        byte[] random = new byte[1 << 20];
        new Random(3).nextBytes(random);
        EmbeddedChannel server = server();
        server.config().setWriteBufferWaterMark(new WriteBufferWaterMark(64 * 1024, 256 * 1024));
        int written = 0;
        while (server.isWritable()) {
            assertTrue(written < random.length, "still writable after " + written + " bytes");
            server.write(alloc.wrap(Arrays.copyOfRange(random, written, written + 8192)));
            written += 8192;
        }
        // Each packet in the channel's buffer counts with its header and the buffer's own overhead per message.
        assertTrue(written >= 256 * 1024 - 8192 && written <= 256 * 1024 + 8192, written + " bytes written");
        server.flush();
        assertTrue(server.isWritable());
        List<byte[]> packets = drainOutbound(server);
        long total = 0;
        for (byte[] packet : packets) {
            assertEquals(0, medium(packet, 4), "stored: random bytes do not shrink");
            total += medium(packet, 0);
        }
        assertEquals(written, total);
        assertFalse(server.finish());
    }

    @Test
    void emptyWriteSendsNoPacketAndUsesNoId() {
        EmbeddedChannel ch = server();
        ChannelFuture empty = ch.writeAndFlush(alloc.wrap(new byte[0]));
        assertTrue(empty.isSuccess());
        assertTrue(drainOutbound(ch).isEmpty());
        ch.writeOutbound(alloc.wrap(frame(1, hex("00"))));
        assertEquals(0, drainOutbound(ch).get(0)[3]);
        assertFalse(ch.finish());
    }

    @Test
    void unflushedWritesFailAndAreReleasedOnClose() {
        EmbeddedChannel ch = server();
        ChannelFuture write = ch.write(alloc.wrap(frame(1, hex("00"))));
        ch.close();
        assertInstanceOf(ClosedChannelException.class, write.cause());
        assertFalse(ch.finish());
    }

    @Test
    void onlyBuffersCanBeCompressed() {
        EmbeddedChannel ch = server();
        ChannelFuture write = ch.writeAndFlush("OK");
        assertInstanceOf(UnsupportedMessageTypeException.class, write.cause());
        assertTrue(drainOutbound(ch).isEmpty());
        assertFalse(ch.finish());
    }

    private List<Integer> sendAndReadIds(EmbeddedChannel ch, byte[] frame) {
        ch.writeOutbound(alloc.wrap(frame));
        List<Integer> ids = new ArrayList<>();
        for (byte[] packet : drainOutbound(ch)) {
            ids.add(packet[3] & 0xff);
        }
        return ids;
    }

    private static int medium(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16;
    }

    private EmbeddedChannel server() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast("frames", new PacketFrameDecoder(64 << 20));
        CompressionCodec.install(ch.pipeline(), "frames", CompressionAlgorithm.ZLIB, -1, 64 << 20);
        return ch;
    }
}
