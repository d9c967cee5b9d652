package dev.berth.mysql.compress;

import static dev.berth.mysql.Golden.bytes;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** Reads, copies and releases every inbound message. */
    static List<byte[]> drainInbound(EmbeddedChannel ch) {
        List<byte[]> messages = new ArrayList<>();
        ByteBuf buf;
        while ((buf = ch.readInbound()) != null) {
            messages.add(bytes(buf));
            buf.release();
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
