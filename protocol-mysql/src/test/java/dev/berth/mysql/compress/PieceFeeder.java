package dev.berth.mysql.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.mysql.TrackingAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * Feeds a channel its input in pieces, as reads from a socket come, takes what comes out after each piece (as a
 * consumer that forwards it would) and checks it against the bytes expected, as it comes. Meanwhile it notes what
 * shows whether anything was held whole: how much had been fed when the first byte came out, the largest message, and
 * the most memory the channel's handlers held between two pieces.
 */
final class PieceFeeder {
    private final EmbeddedChannel ch;
    private final TrackingAllocator alloc;
    private final byte[] expected;
    private long out;
    private long fed;
    private long fedAtFirstOutput = -1;
    private int largestMessage;
    private long peakLiveBytes;
    private IntSupplier held = () -> 0;
    private int peakHeld;

    PieceFeeder(EmbeddedChannel ch, TrackingAllocator alloc, byte[] expected) {
        this.ch = ch;
        this.alloc = alloc;
        this.expected = expected;
    }

    /** Also notes the peak of {@code held}, what one handler says it holds, after each piece. */
    PieceFeeder watching(IntSupplier held) {
        this.held = held;
        return this;
    }

    /** Writes {@code input} in pieces of {@code piece} bytes, taking the output after each. */
    PieceFeeder feed(byte[] input, int piece) {
        for (int at = 0; at < input.length; at += piece) {
            byte[] bytes = Arrays.copyOfRange(input, at, Math.min(input.length, at + piece));
            ch.writeInbound(alloc.wrap(bytes));
            fed += bytes.length;
            take();
        }
        return this;
    }

    /**
     * Turns reading back on each time a message paused it (see {@link PauseAfterEachMessage}), as a consumer does once
     * its destination drained, and takes what comes, until nothing more does.
     */
    PieceFeeder resumeUntilDry() {
        long before;
        do {
            before = out;
            ch.config().setAutoRead(true);
            ch.runPendingTasks();
            take();
        } while (out > before);
        return this;
    }

    /** Takes and checks what the channel emitted. */
    void take() {
        for (byte[] message : Wire.drainInbound(ch)) {
            if (fedAtFirstOutput < 0) {
                fedAtFirstOutput = fed;
            }
            largestMessage = Math.max(largestMessage, message.length);
            int at = (int) out;
            assertEquals(-1, Arrays.mismatch(message, 0, message.length, expected, at,
                    Math.min(expected.length, at + message.length)), "output from byte " + at);
            out += message.length;
        }
        peakLiveBytes = Math.max(peakLiveBytes, alloc.liveBytes());
        peakHeld = Math.max(peakHeld, held.getAsInt());
    }

    /** Everything expected came out, nothing more. */
    void assertComplete() {
        assertEquals(expected.length, out, "bytes out");
    }

    long fedAtFirstOutput() {
        return fedAtFirstOutput;
    }

    int largestMessage() {
        return largestMessage;
    }

    long peakLiveBytes() {
        return peakLiveBytes;
    }

    int peakHeld() {
        return peakHeld;
    }
}
