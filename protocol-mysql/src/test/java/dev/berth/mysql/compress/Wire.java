package dev.berth.mysql.compress;

import static dev.berth.mysql.Golden.bytes;

import dev.berth.mysql.codec.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Compressed packets made and read with java.util.zip directly, independently of the code under test. */
final class Wire {
    private Wire() {
    }

    static byte[] stored(int sequenceId, byte[] payload) {
        return concat(header(payload.length, sequenceId, 0), payload);
    }

    static byte[] compressed(int sequenceId, byte[] payload) {
        byte[] deflated = deflate(payload);
        return concat(header(deflated.length, sequenceId, payload.length), deflated);
    }

    static byte[] header(int compressedLength, int sequenceId, int uncompressedLength) {
        return new byte[] {(byte) compressedLength, (byte) (compressedLength >> 8), (byte) (compressedLength >> 16),
            (byte) sequenceId,
            (byte) uncompressedLength, (byte) (uncompressedLength >> 8), (byte) (uncompressedLength >> 16)};
    }

    static byte[] deflate(byte[] payload) {
        Deflater deflater = new Deflater();
        deflater.setInput(payload);
        deflater.finish();
        byte[] out = new byte[payload.length + 64];
        int length = deflater.deflate(out);
        deflater.end();
        return Arrays.copyOf(out, length);
    }

    static byte[] inflate(byte[] data, int length) throws Exception {
        Inflater inflater = new Inflater();
        inflater.setInput(data);
        byte[] out = new byte[length];
        int n = inflater.inflate(out);
        boolean finished = inflater.finished();
        inflater.end();
        if (n != length || !finished) {
            throw new AssertionError("inflated " + n + " bytes, finished " + finished + ", expected " + length);
        }
        return out;
    }

    /** A MySQL frame: 4-byte header and payload. */
    static byte[] frame(int sequenceId, byte[] payload) {
        return concat(new byte[] {(byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16),
            (byte) sequenceId}, payload);
    }

    /** Bytes that deflate well but are not a single repeated byte. */
    static byte[] text(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + (i % 26 + i / 1000) % 26);
        }
        return bytes;
    }

    /** {@code n} pseudo-random lowercase letters: deflate and zstd make them about 60 % of their size, no less. */
    static byte[] letters(int n, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(26));
        }
        return bytes;
    }

    /**
     * A COM_QUERY of {@code length} payload bytes as the MySQL frames a client sends it: 16 MB - 1 payload bytes
     * each, then the rest ({@code body} makes the query text, repeated as needed).
     */
    static byte[] largeQuery(int length, byte[] body) {
        byte[] payload = new byte[length];
        payload[0] = 0x03;
        for (int at = 1; at < length; at += body.length) {
            System.arraycopy(body, 0, payload, at, Math.min(body.length, length - at));
        }
        List<byte[]> frames = new ArrayList<>();
        int sequenceId = 0;
        for (int at = 0; ; at += Packets.MAX_PAYLOAD) {
            int n = Math.min(Packets.MAX_PAYLOAD, length - at);
            frames.add(frame(sequenceId++, Arrays.copyOfRange(payload, at, at + n)));
            if (n < Packets.MAX_PAYLOAD) {
                return concat(frames.toArray(new byte[0][]));
            }
        }
    }

    /**
     * {@code plain} cut into compressed packets of the largest size, 16 MB - 1 uncompressed bytes, each made by
     * {@code pack} from its sequence id and its piece, as a client that compresses its whole buffer does.
     */
    static byte[] inCompressedPackets(byte[] plain, BiFunction<Integer, byte[], byte[]> pack) {
        List<byte[]> packets = new ArrayList<>();
        for (int at = 0, id = 0; at < plain.length; at += Packets.MAX_PAYLOAD, id++) {
            packets.add(pack.apply(id, Arrays.copyOfRange(plain, at, Math.min(plain.length, at + Packets.MAX_PAYLOAD))));
        }
        return concat(packets.toArray(new byte[0][]));
    }

    static byte[] concat(byte[]... parts) {
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

    /** Reads, copies and releases every inbound message: buffers, or the content of frame chunks. */
    static List<byte[]> drainInbound(EmbeddedChannel ch) {
        List<byte[]> messages = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            messages.add(bytes(msg instanceof ByteBufHolder chunk ? chunk.content() : (ByteBuf) msg));
            ReferenceCountUtil.release(msg);
        }
        return messages;
    }

    /** Reads, copies and releases every outbound message. */
    static List<byte[]> drainOutbound(EmbeddedChannel ch) {
        List<byte[]> messages = new ArrayList<>();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            if (buf.isReadable()) {
                messages.add(bytes(buf));
            }
            buf.release();
        }
        return messages;
    }
}
