package dev.berth.mysql.message;

import dev.berth.mysql.codec.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.IntStream;

public final class Truncation {
    private Truncation() {
    }

    /** Every prefix of {@code whole} shorter than {@code upTo} fails with MalformedPacketException and nothing else. */
    public static void assertMalformedBelow(byte[] whole, int upTo, Consumer<ByteBuf> decode) {
        for (int length = 0; length < upTo; length++) {
            assertMalformed(whole, length, decode);
        }
    }

    /**
     * Every prefix of {@code whole} fails with MalformedPacketException and nothing else, except those of the
     * {@code decodable} lengths (where a packet with optional fields may end), which decode.
     */
    public static void assertMalformedExcept(byte[] whole, Consumer<ByteBuf> decode, int... decodable) {
        for (int length = 0; length < whole.length; length++) {
            int at = length;
            if (IntStream.of(decodable).anyMatch(end -> end == at)) {
                decode.accept(Unpooled.wrappedBuffer(Arrays.copyOf(whole, length)));
            } else {
                assertMalformed(whole, length, decode);
            }
        }
    }

    private static void assertMalformed(byte[] whole, int length, Consumer<ByteBuf> decode) {
        ByteBuf prefix = Unpooled.wrappedBuffer(Arrays.copyOf(whole, length));
        try {
            decode.accept(prefix);
            throw new AssertionError("prefix of " + length + " bytes decoded");
        } catch (MalformedPacketException expected) {
            // the one exception of the codec
        } catch (RuntimeException e) {
            throw new AssertionError("prefix of " + length + " bytes: " + e, e);
        }
    }
}
