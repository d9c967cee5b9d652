package dev.berth.mysql.compress;

import static dev.berth.mysql.compress.Wire.header;
import static dev.berth.mysql.protocol.Capabilities.CLIENT_COMPRESS;
import static dev.berth.mysql.protocol.Capabilities.CLIENT_PROTOCOL_41;
import static dev.berth.mysql.protocol.Capabilities.CLIENT_ZSTD_COMPRESSION_ALGORITHM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.PacketTooLargeException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompressionCodecTest {
    @Test
    void installGoesBetweenTlsAndTheFrameDecoder() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("tls", new ChannelOutboundHandlerAdapter());
        ch.pipeline().addLast("frames", new PacketFrameDecoder(1 << 20));
        ch.pipeline().addLast("session", new ChannelInboundHandlerAdapter());
        CompressionCodec.install(ch.pipeline(), "frames", CompressionAlgorithm.ZLIB, -1, 1 << 20);
        assertEquals(List.of("tls", "decompress", "compress", "frames", "session"),
                ch.pipeline().names().subList(0, 5));
        assertFalse(ch.finish());
    }

    /**
     * A compressed packet may hold the largest packet allowed, its header and 64 KiB of small ones, no more; and
     * never more than 16 MB - 1, which its header can't exceed anyway.
     */
    @Test
    void boundFollowsTheMaxPacketSize() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("frames", new PacketFrameDecoder(1024));
        CompressionCodec.install(ch.pipeline(), "frames", CompressionAlgorithm.ZLIB, -1, 1024);
        int bound = 1024 + 4 + 65536;
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(header(100, 0, bound + 1))));
        assertEquals(bound, e.limit());
        assertFalse(ch.finish());

        EmbeddedChannel unbounded = new EmbeddedChannel();
        unbounded.pipeline().addLast("frames", new PacketFrameDecoder(Long.MAX_VALUE));
        CompressionCodec.install(unbounded.pipeline(), "frames", CompressionAlgorithm.ZLIB, -1, Long.MAX_VALUE);
        assertFalse(unbounded.writeInbound(Unpooled.wrappedBuffer(header(100, 0, 0xffffff))), "16 MB - 1 may come");
        assertFalse(unbounded.finish());
    }

    @Test
    void negotiatesAsMySqlDoes() {
        assertEquals(Optional.empty(), CompressionAlgorithm.negotiate(CLIENT_PROTOCOL_41));
        assertEquals(Optional.of(CompressionAlgorithm.ZLIB), CompressionAlgorithm.negotiate(CLIENT_COMPRESS));
        assertEquals(Optional.of(CompressionAlgorithm.ZSTD),
                CompressionAlgorithm.negotiate(CLIENT_ZSTD_COMPRESSION_ALGORITHM));
        assertEquals(Optional.of(CompressionAlgorithm.ZLIB),
                CompressionAlgorithm.negotiate(CLIENT_COMPRESS | CLIENT_ZSTD_COMPRESSION_ALGORITHM), "zlib wins");
    }
}
