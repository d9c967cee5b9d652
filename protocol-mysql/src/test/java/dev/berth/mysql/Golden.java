package dev.berth.mysql;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;

/**
 * Golden bytes written as commented hex: {@code "0a  # protocol version 10"}. Everything from {@code #} to the end of
 * a line is a comment; whitespace is ignored; {@code 'text'} stands for the ASCII bytes of text.
 */
public final class Golden {
    private Golden() {
    }

    public static byte[] hex(String golden) {
        StringBuilder hex = new StringBuilder();
        for (String line : golden.split("\n")) {
            int comment = line.indexOf('#');
            String code = comment < 0 ? line : line.substring(0, comment);
            int i = 0;
            while (i < code.length()) {
                char c = code.charAt(i);
                if (c == '\'') {
                    int end = code.indexOf('\'', i + 1);
                    for (char t : code.substring(i + 1, end).toCharArray()) {
                        hex.append(String.format("%02x", (int) t));
                    }
                    i = end + 1;
                } else {
                    if (!Character.isWhitespace(c)) {
                        hex.append(c);
                    }
                    i++;
                }
            }
        }
        return HexFormat.of().parseHex(hex);
    }

    /** The payload as a buffer. */
    public static ByteBuf payload(String golden) {
        return Unpooled.wrappedBuffer(hex(golden));
    }

    /** A whole frame: header (length, sequence id) and payload. */
    public static ByteBuf frame(int sequenceId, String goldenPayload) {
        return frame(sequenceId, hex(goldenPayload));
    }

    public static ByteBuf frame(int sequenceId, byte[] payload) {
        ByteBuf frame = Unpooled.buffer(4 + payload.length);
        frame.writeMediumLE(payload.length).writeByte(sequenceId).writeBytes(payload);
        return frame;
    }

    public static byte[] bytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }
}
