package dev.berth.mysql.compress;

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
     * A logical packet of 16 MB + 10 (two MySQL frames) becomes two compressed packets, the first of 16 MB - 1
     * uncompressed bytes, cut as soon as that much is queued; the client side reads back the same two frames.
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
        assertEquals(1, sentBeforeTls.size(), "a full packet goes before any flush");
        assertFalse(firstWrite.isDone(), "4 bytes of it still wait");
        server.writeAndFlush(alloc.wrap(last));
        assertTrue(firstWrite.isSuccess());
        List<byte[]> packets = drainOutbound(server);
        assertEquals(2, packets.size());
        assertArrayEquals(hex("ff ff ff"), Arrays.copyOfRange(packets.get(0), 4, 7), "uncompressed 16 MB - 1");
        assertEquals(0, packets.get(0)[3]);
        assertEquals(1, packets.get(1)[3]);

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

    private EmbeddedChannel server() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast("frames", new PacketFrameDecoder(64 << 20));
        CompressionCodec.install(ch.pipeline(), "frames", CompressionAlgorithm.ZLIB, -1, 64 << 20);
        return ch;
    }
}
