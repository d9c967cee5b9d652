package dev.berth.mysql.compress;

import dev.berth.mysql.codec.Packets;
import io.netty.channel.ChannelPipeline;

/**
 * Switches a client connection to the compressed protocol. Call {@link #install} on the channel's event loop right
 * after writing the OK that ends the login (the OK itself goes out uncompressed, the client's next packet comes
 * compressed) and before the client's next packet is read: a write made on the event loop has already passed the
 * spot where the encoder goes, and the frame decoder then holds no bytes.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_compression.html">Compression</a>
 * @see <a href="https://mariadb.com/kb/en/0-packet/#compressed-packet">MariaDB: Compressed packet</a>
 */
public final class CompressionCodec {
    /** Compressed payload length (3), compressed sequence id (1), uncompressed payload length (3). */
    public static final int HEADER_SIZE = 7;
    /** Pipeline names of the handlers {@link #install} adds. */
    public static final String DECODER_NAME = "decompress";
    public static final String ENCODER_NAME = "compress";

    /**
     * Room, besides the largest packet allowed, for the small packets a client may bundle with it in one
     * compressed packet (the empty packet that ends a LOCAL INFILE upload, the rest of a 16 KB network buffer).
     */
    private static final int BUNDLE_ROOM = 64 * 1024;

    private CompressionCodec() {
    }

    /**
     * Puts the decoder and the encoder in front of {@code beforeHandlerName} (the frame decoder, {@code "frames"};
     * a {@code "tls"} handler stays first), sharing one compressed sequence.
     *
     * @param level         the compression level for what Berth sends (see {@link CompressionAlgorithm})
     * @param maxPacketSize the largest MySQL packet the client may send; a compressed packet may inflate to that
     *                      plus a little, at most 16 MB - 1
     */
    public static void install(ChannelPipeline pipeline, String beforeHandlerName, CompressionAlgorithm algorithm,
                               int level, long maxPacketSize) {
        CompressedSequence sequence = new CompressedSequence();
        long wanted = Math.min(maxPacketSize, Packets.MAX_PAYLOAD) + Packets.HEADER_SIZE + BUNDLE_ROOM;
        int maxUncompressed = (int) Math.min(Packets.MAX_PAYLOAD, wanted);
        pipeline.addBefore(beforeHandlerName, DECODER_NAME,
                new CompressedPacketDecoder(algorithm.newDecompressor(), sequence, maxUncompressed));
        pipeline.addBefore(beforeHandlerName, ENCODER_NAME,
                new CompressedPacketEncoder(algorithm.newCompressor(level), sequence));
    }
}
