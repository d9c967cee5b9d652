package dev.berth.mysql.compress;

import dev.berth.mysql.protocol.Capabilities;
import java.util.Optional;

/**
 * The algorithms of the compressed protocol. MariaDB servers, libmariadb and mysqlnd only know zlib; MySQL 8.0.18+
 * clients may ask for zstd.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_compression.html">Compression</a>
 */
public enum CompressionAlgorithm {
    /** A zlib stream (deflate, RFC 1950) per packet. Levels 0–9, or -1 for zlib's default (6), which servers use. */
    ZLIB {
        @Override
        Compressor newCompressor(int level) {
            return new ZlibCompressor(level);
        }

        @Override
        Decompressor newDecompressor() {
            return new ZlibDecompressor();
        }
    },
    /** A zstd frame per packet, at the level the client sent in its handshake response (MySQL's default is 3). */
    ZSTD {
        @Override
        Compressor newCompressor(int level) {
            return new ZstdCompressor(level);
        }

        @Override
        Decompressor newDecompressor() {
            return new ZstdDecompressor();
        }
    };

    /**
     * The algorithm a client chose with the flags of its handshake response (masked with those Berth offered);
     * empty for an uncompressed connection. With both flags set zlib wins, as in MySQL.
     */
    public static Optional<CompressionAlgorithm> negotiate(long clientCapabilities) {
        if (Capabilities.has(clientCapabilities, Capabilities.CLIENT_COMPRESS)) {
            return Optional.of(ZLIB);
        }
        if (Capabilities.has(clientCapabilities, Capabilities.CLIENT_ZSTD_COMPRESSION_ALGORITHM)) {
            return Optional.of(ZSTD);
        }
        return Optional.empty();
    }

    abstract Compressor newCompressor(int level);

    abstract Decompressor newDecompressor();
}
